"""The spec pipeline: parse safely, detect the format, validate, summarise."""
