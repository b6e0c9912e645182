"""Relais domain: customers, their unified record, segmentation, interactions, campaigns."""
