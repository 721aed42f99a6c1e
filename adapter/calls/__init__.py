"""From a validated request to an answer: one pipeline for every front door.

- :mod:`.plan`: :class:`~.plan.CallPlan` (route, credential order, Vertex body, method,
  rewrites) and the one Express-first policy, :func:`~.plan.credential_order`;
- :mod:`.chat`, :mod:`.embeddings`: the plan of each front door, and how its answers read;
- :mod:`.execute`: a plan sent with failover, as a whole answer (:func:`~.execute.complete`)
  or as a stream (:func:`~.execute.stream`); the MALFORMED_FUNCTION_CALL retry lives there;
- :mod:`.opening`: how a stream is opened (real, or fake over ``generateContent``);
- :mod:`.urls`: the Vertex URL of a plan and the headers that explain what was done;
- :mod:`.dry_run`: ``X-Dry-Run: 1``, the requests a plan would send.
"""
