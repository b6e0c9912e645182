"""Call scripts as data (TOML files) and the engine that runs them step by step."""
