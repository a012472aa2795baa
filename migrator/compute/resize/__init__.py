"""Cold migration and resize on the computes (seed 003), one module per
step, in the order they run:

* ``prep`` — destination: claim room and PMEM namespaces, record the
  migration context, hand over to the source;
* ``source`` — source: power the guest off, copy its namespaces when
  asked (``pmem_copy``), hand over to the destination;
* ``finish`` — destination: start the guest with its new flavor;
* ``confirm`` / ``revert`` — end the move one way or the other;
* ``cleanup`` — zero and free namespaces, put the guest back on its
  source after a failure;
* ``recovery`` — at start-up, end the moves a dead service left
  half-done, and confirm resizes older than ``resize_confirm_window``.

``common.Move`` carries what every step needs (the compute's host and
driver, the instance, its Migration and migration context).
"""
