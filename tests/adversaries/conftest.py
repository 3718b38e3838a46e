"""The adversaries share the authorization matrix's world: the conftest world plus a
neighbourhood under Ba Đình and one actor per role there."""

from tests.access.test_matrix import matrix_world  # noqa: F401 - a fixture, by name
