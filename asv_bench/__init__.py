"""rustorch's asv suite (benchmarks/, asv.conf.json) and its regression gate (``python -m asv_bench.gate``)."""
