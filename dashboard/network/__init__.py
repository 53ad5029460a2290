"""The supply-chain graph: build, chains, queries, layout."""
