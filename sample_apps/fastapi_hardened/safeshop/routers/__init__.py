"""API routers; main.py decides prefixes and router-level dependencies."""
