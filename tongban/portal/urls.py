from django.urls import path

from tongban.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("signup/", views.signup_view, name="signup"),
    path("calendar/", views.calendar_month, name="calendar"),
    path("display/large-text/", views.large_text_toggle, name="large_text"),
]
