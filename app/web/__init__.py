"""FastAPI routers and middleware only: the math and the training live in app.kd and app.training."""
