"""Demo content: the real workshop pages we started from (../shared/seeds/), one module each,
plus one fictional upcoming workshop. Each ``load_<workshop>()`` upserts its workshop with
the tools of demo/upsert.py."""
