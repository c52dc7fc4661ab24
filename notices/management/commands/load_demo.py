import datetime
import os

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from notices import demo_content, following, releasing, selectors
from notices.bulk import summary_naming_release
from notices.demo import add_item, add_system, load_notice
from notices.models import Notice, RetentionRule, Section
from notices.publishing import publish_notice
from notices.registers import BY_ATTR
from tenants.memberships import grant_role
from tenants.models import Membership, School, Template, Trust, User
from tenants.provisioning import school_host
from tenants.services import add_school, add_trust, update_trust

_TRUST_FIELDS = ("name", "address", "ico_registration", "dpo_name", "dpo_email", "complaints_contact")
_SCHOOL_FIELDS = ("name", "urn", "address", "headteacher", "contact_email")


class Command(BaseCommand):
    help = (
        "Load the demo: two fictional trusts, their schools, users for every persona, a published notice "
        "with three versions per school, then a template per trust that its schools follow and publish. "
        "Safe to run again: existing demo data is left as it is."
    )

    def handle(self, *args, **options):
        password = demo_content.DEMO_PASSWORD
        admin = self._user(demo_content.PLATFORM_ADMIN, password, is_platform_admin=True)
        logins = [("Platform admin", admin.email, "portal admin")]
        trusts, schools, publisher_of = [], [], {}
        for trust_data in demo_content.TRUSTS:
            trust = self._trust(trust_data)
            publisher = self._user(trust_data["publisher"], password)
            grant_role(publisher, Membership.Role.PUBLISHER, trust=trust)
            logins.append(("Trust publisher", publisher.email, f"every school of {trust.name}"))
            publisher_of.update({school_data["slug"]: publisher for school_data in trust_data["schools"]})
            followers = []
            for school_data in trust_data["schools"]:
                school = self._school(trust, school_data)
                editor = self._user(school_data["editor"], password)
                grant_role(editor, Membership.Role.EDITOR, school=school)
                logins.append(("School DPL (editor)", editor.email, school.name))
                with tenant_context(school):
                    self._notice(school, school_data, publisher)
                schools.append(school)
                followers.append((school, school_data["notice"]["slug"], editor))
            self._template(trust, publisher, followers)
            # The history above is published in one go; from here on the trust's notice period applies.
            trust = update_trust(trust, min_notice_days=demo_content.NOTICE_DAYS)
            trusts.append(trust)
        self._upcoming(publisher_of[demo_content.UPCOMING["school"]])
        self._print(trusts, schools, logins, password)

    def _user(self, data, password, **fields):
        user = User.objects.filter(email__iexact=data["email"]).first()
        if user is None:
            user = User.objects.create_user(data["email"], password, name=data["name"], **fields)
        return user

    def _trust(self, data):
        fields = {name: data[name] for name in _TRUST_FIELDS}
        trust = Trust.objects.filter(slug=data["slug"]).first()
        if trust is None:
            # No notice period while the demo's history is published back to back (handle() sets it after).
            return add_trust(slug=data["slug"], min_notice_days=0, **fields)
        return update_trust(trust, **fields)

    @transaction.atomic
    def _upcoming(self, publisher):
        """One material change announced at one school, taking effect when the notice period is over."""
        data = demo_content.UPCOMING
        school = School.objects.select_related("trust").get(slug=data["school"])
        with tenant_context(school):
            notice = Notice.objects.get()
            if selectors.upcoming_versions(notice.pk) or notice.systems.filter(name=data["add_system"]["name"]):
                return
            add_system(notice, data["add_system"], user=publisher)
            first_day = timezone.localtime() + datetime.timedelta(days=school.trust.min_notice_days + 1)
            effective = first_day.replace(hour=0, minute=0, second=0, microsecond=0)
            publish_notice(notice, user=publisher, summary=data["summary"], effective_at=effective)

    def _school(self, trust, data):
        school = School.objects.filter(slug=data["slug"]).first()
        if school is None:
            return add_school(trust=trust, slug=data["slug"], **{name: data[name] for name in _SCHOOL_FIELDS})
        return school

    @transaction.atomic
    def _notice(self, school, data, publisher):
        notice_data = data["notice"]
        if Notice.objects.filter(slug=notice_data["slug"]).exists():
            return
        notice = load_notice(notice_data, user=publisher)
        publish_notice(notice, user=publisher, summary="First published version of this notice.")

        v2 = demo_content.V2_CHANGES[school.slug]
        add_system(notice, v2["add_system"], user=publisher)
        rule = RetentionRule.objects.get(notice=notice, record_type=v2["retention"]["record_type"])
        rule.period = v2["retention"]["period"]
        rule._history_user, rule._change_reason = publisher, "Retention period updated"
        rule.save()
        publish_notice(notice, user=publisher, summary=v2["summary"])

        v3 = demo_content.V3_CHANGES[school.slug]
        section = Section.objects.get(notice=notice, heading=v3["section_heading"])
        section.body = section.body.replace(v3["find"], v3["replace"])
        section._history_user, section._change_reason = publisher, "Wording fix"
        section.save()
        publish_notice(notice, user=publisher, summary=v3["summary"], material=False)

    @transaction.atomic
    def _template(self, trust, publisher, followers):
        """The trust's template (demo_content.TEMPLATES), made from one school's notice and released in turn.

        Every school follows it from the first release, does with the trust's items what its DPL would, and
        publishes the latest release. `followers` are (school, notice slug, that school's DPL). Done once: a
        trust that has the template is left alone.
        """
        data = demo_content.TEMPLATES[trust.slug]
        if Template.objects.filter(trust=trust, slug=data["slug"]).exists():
            return
        source, slug, _ = next(f for f in followers if f[0].slug == data["made_from"])
        with tenant_context(source):
            notice = Notice.objects.get(slug=slug)
        template = releasing.template_from_school(
            source, notice, slug=data["slug"], title=data["title"], user=publisher
        )
        for number, release in enumerate(data["releases"], start=1):
            with releasing.workspace_context(template):
                draft = releasing.template_notice(template)
                for attr, items in release.get("add", {}).items():
                    for item in items:
                        add_item(draft, BY_ATTR[attr].model, item, user=publisher, reason=release["reason"])
            releasing.release_template(template, user=publisher, summary=release["summary"])
            if number == 1:
                for school, slug, editor in followers:
                    with tenant_context(school):
                        self._follow(school, Notice.objects.get(slug=slug), template, editor)
        for school, slug, _ in followers:
            with tenant_context(school):
                notice = Notice.objects.get(slug=slug)
                summary = summary_naming_release(demo_content.FOLLOWING[school.slug]["summary"], notice)
                publish_notice(notice, user=publisher, summary=summary)

    def _follow(self, school, notice, template, editor):
        """Link the school's notice to the template, then do what its DPL does with the trust's items."""
        following.link_notice(notice, template, school=school, user=editor)
        notice.refresh_from_db()
        acts = demo_content.FOLLOWING[school.slug]
        for act in acts["hide"]:
            register = BY_ATTR[act["register"]]
            row = register.model.objects.get(notice=notice, **{register.match_column: act["label"]})
            following.hide_item(notice, register, row.pk, user=editor, reason=act["reason"])
        for act in acts["replace"]:
            register = BY_ATTR[act["register"]]
            row = register.model.objects.get(notice=notice, **{register.match_column: act["label"]})
            following.replace_item(notice, register, row.pk, user=editor, values=act["values"], reason=act["reason"])
        for act in acts["add"]:
            add_item(notice, BY_ATTR[act["register"]].model, act["item"], user=editor, reason=act["reason"])

    def _print(self, trusts, schools, logins, password):
        # The addresses `make run` serves on; *.localhost resolves to this machine in browsers.
        port = os.environ.get("PORT", "8000")
        out = self.stdout.write
        out("")
        out(f"Portal:   http://{settings.PORTAL_DOMAIN}:{port}/   (platform admin at /admin/)")
        for trust in trusts:
            console = f"http://{settings.PORTAL_DOMAIN}:{port}/trust/{trust.slug}/"
            out(f"Trust:    {console}   ({trust.name}'s console)")
            out(f"          {console}templates/admin/   (its templates' admin)")
        for school in schools:
            out(f"School:   http://{school_host(school.slug)}:{port}/   ({school.name}; its admin at /admin/)")
        out(f"Demo logins (password for all: {password}):")
        for role, email, scope in logins:
            out(f"  {role:<22} {email:<40} {scope}")
