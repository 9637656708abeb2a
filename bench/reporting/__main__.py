"""`python -m bench.reporting`: the benchmark (see the package's docstring)."""

from bench.reporting.run import main

main()
