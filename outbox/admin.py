"""The outbox in the admin: read-only rows, and "send again" for organizers.

Organizers see the mail of their workshops only (``OutgoingMail.objects.managed_by``); the
outbox sits below the workshops app, so the scoping is by the mail's workshop, by name.
"""

from django.contrib import admin, messages
from django.utils.html import format_html

from outbox import mail
from outbox.models import OutgoingMail

# As everywhere in the admin: a filter lists only the workshops of rows this user sees.
RelatedOnly = admin.RelatedOnlyFieldListFilter


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    list_display = ("subject", "to", "status", "attempts", "short_error", "created_at", "sent_at")
    list_filter = ("status", "template", ("workshop", RelatedOnly))
    search_fields = ("to", "subject", "key")
    list_select_related = ("workshop",)
    date_hierarchy = "created_at"
    actions = ("resend_selected",)
    readonly_fields = (
        "key",
        "workshop",
        "template",
        "from_email",
        "to",
        "reply_to",
        "subject",
        "body_text",
        "html_part",
        "body_html",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "updated_at",
        "next_attempt_at",
        "sending_since",
        "sent_at",
    )

    def get_queryset(self, request):
        return OutgoingMail.objects.managed_by(request.user).select_related("workshop")

    def has_module_permission(self, request) -> bool:
        return self.admin_site.has_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        if not self.admin_site.has_permission(request):
            return False
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        return actions if self.admin_site.has_permission(request) else {}

    @admin.display(description="HTML part, as shown")
    def html_part(self, obj: OutgoingMail) -> str:
        """The HTML part rendered as a mail client would, in a sandboxed frame: no script
        runs, nothing reaches this site's cookies, remote images are not fetched (the frame
        keeps this page's Content-Security-Policy)."""
        if not obj.body_html:
            return "(no HTML part)"
        return format_html(
            '<iframe sandbox="" srcdoc="{}" title="The HTML part of this mail" '
            'referrerpolicy="no-referrer" data-testid="mail-html" '
            'style="width: 100%; min-width: 40em; height: 32em; border: 1px solid #ccc; '
            'background: #fff"></iframe>',
            obj.body_html,
        )

    @admin.display(description="last error")
    def short_error(self, obj: OutgoingMail) -> str:
        return obj.last_error[:80]

    @admin.action(description="Send the selected mails again")
    def resend_selected(self, request, queryset):
        count = mail.resend(queryset)
        self.message_user(request, f"{count} mail(s) queued again.", messages.SUCCESS)
