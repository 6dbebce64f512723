from shequtong.core.models import Area
from shequtong.core.scoping import scoped


def test_grid_worker_sees_only_their_grid(tree, grid_worker):
    assert list(scoped(Area.objects.all(), grid_worker, "read")) == [tree.grid_a1a]
