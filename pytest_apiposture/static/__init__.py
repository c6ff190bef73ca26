"""The static pass: source index, syntax helpers, guard classification, rule engine, cache."""
