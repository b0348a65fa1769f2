"""Steps 3-7: the queue, the worker processes, a job's claim and deadline, the pipeline that reads and judges one
file, and the sweeper that re-queues what a dead worker held.
"""
