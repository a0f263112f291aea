from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import user_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Managing users: accounts/user_views.py.
    path("users/", user_views.UserListView.as_view(), name="user_list"),
    path("users/invite/", user_views.UserInviteView.as_view(), name="user_invite"),
    path("users/<int:pk>/", user_views.UserDetailView.as_view(), name="user_detail"),
    path(
        "users/<int:pk>/role/",
        user_views.UserRoleChangeView.as_view(),
        name="user_role_change",
    ),
    path(
        "users/<int:pk>/deactivate/",
        user_views.user_deactivate_view,
        name="user_deactivate",
    ),
    path(
        "users/<int:pk>/reactivate/",
        user_views.user_reactivate_view,
        name="user_reactivate",
    ),
    path(
        "users/<int:pk>/invitation/",
        user_views.invitation_resend_view,
        name="invitation_resend",
    ),
    path(
        "outlets/<int:pk>/invite-owner/",
        user_views.ShopOwnerInviteView.as_view(),
        name="shop_owner_invite",
    ),
    path(
        "invitation/password/",
        user_views.InvitationPasswordView.as_view(),
        name="invitation_password",
    ),
    path(
        "invitation/<str:token>/",
        user_views.invitation_accept_view,
        name="invitation_accept",
    ),
    path(
        "users/<int:pk>/two-factor/reset/",
        views.TwoFactorResetView.as_view(),
        name="two_factor_reset",
    ),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path(
        "two-factor/setup/", views.TwoFactorSetupView.as_view(), name="two_factor_setup"
    ),
    path(
        "two-factor/verify/",
        views.TwoFactorVerifyView.as_view(),
        name="two_factor_verify",
    ),
    path(
        "two-factor/recovery-codes/",
        views.RecoveryCodesView.as_view(),
        name="recovery_codes",
    ),
    path(
        "two-factor/remove/",
        views.TwoFactorRemoveView.as_view(),
        name="two_factor_remove",
    ),
    path(
        "password/change/", views.PasswordChangeView.as_view(), name="password_change"
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
