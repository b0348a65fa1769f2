"""Root pytest configuration: what not to collect as doctests."""

collect_ignore_glob = ["intake/migrations/*", "fixtures/samples/*", "bench/out/*"]
