"""The command line: above every package (it starts the API, the workers, the benchmarks)."""
