"""Shared kernel: structures, accounts and roles, learners, audit journal, time and text helpers."""
