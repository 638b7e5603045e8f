"""Benchmarks for the performance budgets of DESIGN.md section 8 (measured here, never as timed tests).

``python -m bench.pages`` measures page latency on the network-scale data set; ``python -m bench.demo_data``
times the demo data command. Both work in a throw-away instance directory, talk to 127.0.0.1 only and write
their figures to ``bench/results/``.
"""
