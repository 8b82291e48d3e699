"""Class sessions: an instructor's explorer followed live by a room, with questions and a reveal.

Imports no web code. `service.Classroom` holds the rules (codes, the control secret, limits, state,
questions and anonymous counts) and talks to a `broker.Broker`, in this process or on Redis;
`hub.Hub` fans each class's messages out to this process's sockets, latest first, never a backlog.
"""
