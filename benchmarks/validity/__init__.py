"""The validity report (docs/validity.md): would a reviewer agree with the trust scores?

``python -m benchmarks.validity --write docs/validity.md`` audits the real-world
corpus's api.gouv.fr catalog and APIs.guru subset offline, scores them under
``trust-v1`` and ``trust-v1-strict``, and writes the distributions, the
officialness verdicts signal by signal and what each decides, the tier changes
between the two methodologies, the ten highest and lowest composites with a
reviewer's notes, and the proposals that follow. Modules: ``corpus`` (where the
corpus is, its provenance, local specs), ``collect`` (the offline runs),
``aggregate`` (the arithmetic, tested on made-up input), ``analyses`` (the
sections as data), ``whatif`` (proposals simulated on the findings),
``reviews`` (the reviewer's notes), ``render``/``render_review``/``proposals``/
``document`` (Markdown).
"""
