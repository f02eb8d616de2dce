"""Speed comparisons with torch: ``python -m rustorch.benchmarks.compare`` (needs torch installed)."""
