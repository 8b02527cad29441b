"""The run: the audit loop, the verifier that runs every probe on an entry, per-host
admission, the conditional fetcher a store lends, and recording a run into a store.

``loop`` streams results as entries finish; ``verifier`` gathers one entry's
findings; ``admission`` starts entries a few per host; ``recording`` commits
each finished entry to the store. Nothing here scores: the rule engine does.
"""
