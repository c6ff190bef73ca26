"""OpenAPI: spec loading, drift between routes, schema and committed spec, spec lint, fuzz."""
