"""kzlib: an evidence-linked claims ledger from Arabic news articles.

Pipeline, one module per step:
load (corpus) -> normalize -> numbers -> claims (category, subject, attribution)
-> tables / sources / timeline -> charts -> report.
"""

__version__ = "0.1.0"
