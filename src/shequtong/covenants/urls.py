app_name = "covenants"

urlpatterns: list = []
