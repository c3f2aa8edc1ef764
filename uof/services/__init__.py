"""State-changing operations: each validates with the domain rules and writes its audit event with it."""
