"""Pieces the shipbacks admins share: running a service per selected object, state buttons on an
object's page, read-only history."""

from django.contrib import admin, messages
from django.contrib.admin.utils import model_ngettext, unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from returns_portal.errors import DomainError

# Refused objects listed one by one in the message; beyond, only their number.
LISTED_REFUSALS = 10


def run_each(modeladmin, request, queryset, call, done: str) -> None:
    """Call ``call(obj)`` for each selected object, each in its own transaction (the services'),
    then report how many were ``done`` and, for the others, why not."""
    succeeded, refused = 0, []
    for obj in queryset:
        try:
            call(obj)
        except DomainError as exc:
            refused.append((str(obj), exc.message))
        else:
            succeeded += 1
    opts = modeladmin.model._meta
    if succeeded:
        modeladmin.message_user(
            request, f"{succeeded} {model_ngettext(opts, succeeded)} {done}.", messages.SUCCESS
        )
    if refused:
        more = len(refused) - LISTED_REFUSALS
        modeladmin.message_user(
            request,
            format_html(
                "{} {} not {}:<ul>{}</ul>{}",
                len(refused),
                model_ngettext(opts, len(refused)),
                done,
                format_html_join("", "<li>{}: {}</li>", refused[:LISTED_REFUSALS]),
                f"and {more} more." if more > 0 else "",
            ),
            messages.ERROR,
        )


class StateActionsMixin:
    """Offers an admin's state actions on each object's page too, as buttons.

    ``state_actions`` maps an action's name to the state it leads to and the button's label; a
    button shows when the user may run the action and the object can go to that state. It posts
    to ``<object>/actions/<action>/``, which runs the very same action on that one object.
    """

    change_form_template = "admin/shipbacks/change_form_state_actions.html"
    state_actions: dict[str, tuple[str, str]] = {}

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/actions/<str:action>/",
                self.admin_site.admin_view(self.object_action_view),
                name="{}_{}_action".format(*info),
            ),
            *super().get_urls(),
        ]

    def object_action_view(self, request, object_id, action):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        available = self.get_actions(request)
        if action not in self.state_actions or action not in available:
            raise PermissionDenied
        func = available[action][0]
        func(self, request, self.get_queryset(request).filter(pk=obj.pk))
        return HttpResponseRedirect(
            reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                args=[obj.pk],
                current_app=self.admin_site.name,
            )
        )

    def object_state_actions(self, request, obj) -> list[dict]:
        available = self.get_actions(request)
        return [
            {
                "label": label,
                "url": reverse(
                    f"admin:{self.opts.app_label}_{self.opts.model_name}_action",
                    args=[obj.pk, name],
                    current_app=self.admin_site.name,
                ),
            }
            for name, (state, label) in self.state_actions.items()
            if name in available and obj.can_become(state)
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None:
            context["object_state_actions"] = self.object_state_actions(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)


class HistoryAdmin(admin.ModelAdmin):
    """Event rows are history: whoever may view them reads them, nobody writes them here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """Rows shown on their parent's page, never edited there."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def choices_once(formset, *names):
    """Evaluate these selects' choices once for the formset, instead of once per row."""
    for name in names:
        field = formset.form.base_fields.get(name)
        if field is not None:
            field.choices = list(field.choices)
    return formset
