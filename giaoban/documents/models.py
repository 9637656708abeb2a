"""Outgoing documents (văn bản đi): each issuing organization's register and its documents."""
