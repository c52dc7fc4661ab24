"""Importing an existing privacy notice (text, Markdown, HTML, Word) into a draft.

reading turns a file into blocks, mapping turns blocks into a document and a
report, service writes the draft. docs/decisions/0009 explains the choices.
"""
