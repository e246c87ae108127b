"""Hardware behind small interfaces: each driver has a real and a fake implementation."""
