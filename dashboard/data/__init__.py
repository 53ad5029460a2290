"""The cited data package: schema, reading, cell types, checks, loading."""
