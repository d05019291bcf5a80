#!/usr/bin/env python3
"""An employee welfare mall on libpoints' Python binding and Flask.

    python3 app.py      serve $WEBMALL_DB on 127.0.0.1:$WEBMALL_PORT

Employees see their balance and statement, shop in the mall, follow and
return their orders, draw in the lottery and bid in auctions;
administrators edit the earning rules, keep the catalogue, move orders
along, read the reports and check the ledger's integrity.  Every write
is one library call: a refusal is the library's message (points_errmsg)
shown on the page, and the ledger is left as it was.  Forms that spend
points carry an idempotency key made when the page was shown, so a
form sent twice spends once.

The login is a pick-a-user form, standing in for the host's own.  The
session cookie is SameSite=Lax, so another site cannot send these forms
in a user's name; a host behind an older browser adds a CSRF token.
"""

import json
import os
import uuid
from datetime import datetime, timezone
from functools import wraps
from html import escape

from flask import (Flask, Response, abort, flash, g, redirect,
                   render_template, request, session, url_for)
from markupsafe import Markup

import points

ASSET = "WELFARE"
DAY = 86400
ADMINS = {"hr.admin": "HR administrator"}
EXPIRING_DAYS = 30
AUCTION_STATES = {points.AUCTION_OPEN: "open", points.AUCTION_SOLD: "sold",
                  points.AUCTION_UNSOLD: "unsold",
                  points.AUCTION_CANCELLED: "cancelled"}


class BadInput(ValueError):
    """A form field that is not what the page asked for."""


def create_app(uri, *, clock=None, secret=None):
    """The application over the ledger at uri; clock: a start time for a
    settable clock (tests), None for the system's."""
    app = Flask(__name__)
    app.config.update(SECRET_KEY=secret or os.urandom(32),
                      SESSION_COOKIE_SAMESITE="Lax")
    ledger = points.Ledger.open(uri, clock=clock)
    app.config["LEDGER"] = ledger

    @app.before_request
    def load_user():
        g.ledger = ledger
        g.user = session.get("user")
        g.role = session.get("role")
        g.me = None
        if g.role == "employee":
            try:
                g.me = ledger.find_account(g.user)
            except points.NotFound:
                session.clear()
                g.user = g.role = None

    @app.errorhandler(points.Error)
    @app.errorhandler(BadInput)
    def refused(e):
        """A refusal: back to the page with the message (a form), or the
        message alone (a page whose query the library refused)."""
        flash(getattr(e, "message", str(e)), "error")
        if request.method == "POST":
            return redirect(request.full_path.rstrip("?"))
        return render_template("error.html"), 400

    @app.template_filter("when")
    def when(t):
        if not t:
            return ""
        return datetime.fromtimestamp(t, timezone.utc).strftime(
            "%Y-%m-%d %H:%M")

    @app.template_filter("day")
    def day(t):
        return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%d")

    @app.context_processor
    def helpers():
        return {"points": points, "ORDER_STATES": points.ORDER_STATES,
                "AUCTION_STATES": AUCTION_STATES,
                "TXN_TYPES": points.TXN_TYPES,
                "RULE_STATES": points.RULE_STATES,
                "new_key": lambda: uuid.uuid4().hex, "ASSET": ASSET,
                "admins": ADMINS}

    register(app)
    return app


def role_required(role):
    """A view for role only: others are sent to log in, or get 403."""
    def wrap(fn):
        @wraps(fn)
        def inner(*a, **kw):
            if g.user is None:
                return redirect(url_for("login",
                                        next=request.full_path.rstrip("?")))
            if g.role != role:
                abort(403)
            return fn(*a, **kw)
        return inner
    return wrap


login_required = role_required("employee")
admin_required = role_required("admin")


def whole(form, name, label=None, *, default=None, minimum=None):
    """Form field name as an int, or BadInput naming it."""
    label = label or name
    text = form.get(name, "").strip()
    if text == "":
        if default is not None:
            return default
        raise BadInput("%s: required" % label)
    try:
        n = int(text)
    except ValueError:
        raise BadInput("%s: not a whole number: %r" % (label, text)) from None
    if minimum is not None and n < minimum:
        raise BadInput("%s: %d is below %d" % (label, n, minimum))
    return n


def text(form, name, label=None, *, required=True):
    value = form.get(name, "").strip()
    if required and not value:
        raise BadInput("%s: required" % (label or name))
    return value or None


def idem(form, what):
    """The idempotency key of a form that spends: made when the page was
    shown, so the same form sent twice is one request."""
    key = form.get("key", "").strip()
    if not key:
        raise BadInput("%s: the form has no request key; reload the page"
                       % what)
    return "web/%s/%s/%s" % (g.user, what, key)


def employees(ledger):
    return [a for a in ledger.accounts()
            if not a.flags & (points.SYSTEM | points.POOL)]


def lotteries(ledger):
    out, i = [], 1
    while True:
        try:
            out.append(ledger.lottery(i))
        except points.NotFound:
            return out
        i += 1


def auctions(ledger):
    out, i = [], 1
    while True:
        try:
            out.append(ledger.auction(i))
        except points.NotFound:
            return out
        i += 1


def notices(ledger, account, kinds):
    """The account's outbox events of kinds, newest first, with their
    data parsed."""
    out = [(e, json.loads(e.data or "{}")) for e in ledger.outbox()
           if e.account == account and e.kind in kinds]
    return out[::-1]


def register(app):
    # ---- Login ----

    @app.route("/login", methods=["GET", "POST"])
    def login():
        ledger = g.ledger
        if request.method == "POST":
            user = request.form.get("user", "")
            if user in ADMINS:
                role = "admin"
            else:
                try:
                    ledger.find_account(user)
                except points.Error:
                    flash("login: no such user: %r" % user, "error")
                    return redirect(url_for("login"))
                role = "employee"
            session.clear()
            session.update(user=user, role=role)
            nxt = request.args.get("next", "")
            # a path of this site only, never another site's address
            if not nxt.startswith("/") or nxt.startswith("//"):
                nxt = url_for("home")
            return redirect(nxt)
        return render_template("login.html", staff=employees(ledger))

    @app.route("/logout", methods=["POST"])
    def logout():
        session.clear()
        return redirect(url_for("login"))

    @app.route("/")
    def home():
        if g.role == "admin":
            return redirect(url_for("admin_home"))
        if g.role == "employee":
            return redirect(url_for("balance"))
        return redirect(url_for("login"))

    # ---- Employee pages ----

    @app.route("/balance")
    @login_required
    def balance():
        ledger = g.ledger
        b = ledger.balance(g.me, ASSET)
        soon = list(ledger.expiring(ASSET, EXPIRING_DAYS, g.me))
        return render_template("balance.html", b=b, soon=soon,
                               soon_total=sum(l.amount for l in soon),
                               days=EXPIRING_DAYS)

    @app.route("/statement")
    @login_required
    def statement():
        ledger = g.ledger
        cat = request.args.get("category", "")
        rows = list(ledger.statement(g.me, ASSET))
        cats = sorted({e.category for e in rows if e.category})
        if cat:
            rows = [e for e in rows if e.category == cat]
        return render_template("statement.html", rows=rows, cats=cats,
                               cat=cat)

    @app.route("/earn", methods=["GET", "POST"])
    @login_required
    def earn():
        ledger = g.ledger
        if request.method == "POST":
            kind = request.form.get("kind", "")
            if kind not in ("training", "certificate"):
                raise BadInput("activity: unknown kind %r" % kind)
            ref = text(request.form, "ref", "course or certificate")
            r = ledger.event_apply("%s/%s/%s" % (g.user, kind, ref), kind,
                                   g.me, 0, {"course": ref},
                                   actor=g.user)
            if r.replayed:
                flash("%s %s was reported before: nothing more awarded"
                      % (kind, ref), "info")
            else:
                flash("%s %s: %d points" % (kind, ref, r.points), "ok")
            return redirect(url_for("earn"))
        rules = [r for r in ledger.rules()
                 if r.event_type in ("training", "certificate")
                 and r.state == points.RULE_ACTIVE]
        exprs = {r.name: ledger.rule_expr(r.name, points.EXPR_POINTS)
                 for r in rules}
        return render_template("earn.html", rules=rules, exprs=exprs)

    @app.route("/mall")
    @login_required
    def mall():
        ledger = g.ledger
        args = request.args
        cat = args.get("category", "") or None
        lo = whole(args, "min", "lowest price", default=0)
        hi = whole(args, "max", "highest price", default=0)
        affordable = args.get("affordable") == "1"
        sort = {"price": points.ITEMS_BY_PRICE,
                "popular": points.ITEMS_BY_POPULARITY}.get(
                    args.get("sort"), points.ITEMS_BY_SKU)
        items = list(ledger.browse(cat, price_min=lo, price_max=hi,
                                   listed_only=True, account=g.me,
                                   affordable=affordable, sort=sort))
        cats = set()
        for i in ledger.items(listed_only=True):
            parts = i.category.split("/")
            for n in range(1, len(parts) + 1):
                cats.add("/".join(parts[:n]))
        recs = {}
        for label, kind in (("You can afford", points.RECOMMEND_AFFORDABLE),
                            ("Popular in your department",
                             points.RECOMMEND_DEPARTMENT),
                            ("Others also redeemed",
                             points.RECOMMEND_ALSO_REDEEMED)):
            recs[label] = list(ledger.recommendations(g.me, kind, 4))
        return render_template("mall.html", items=items, cats=sorted(cats),
                               args=args, recs=recs,
                               b=ledger.balance(g.me, ASSET))

    @app.route("/item/<sku>", methods=["GET", "POST"])
    @login_required
    def item(sku):
        ledger = g.ledger
        if request.method == "POST":
            qty = whole(request.form, "quantity")
            o = ledger.order_place(g.me, sku, qty,
                                   note=text(request.form, "note",
                                             required=False),
                                   idempotency_key=idem(request.form,
                                                        "order"),
                                   actor=g.user)
            if o.replayed:
                flash("order %s was placed already (the form was sent "
                      "twice): one order" % o.id, "info")
            else:
                flash("order %s placed: %d points held" % (o.id, o.amount),
                      "ok")
            return redirect(url_for("order", oid=o.id))
        try:
            it = ledger.item(sku)
        except points.NotFound:
            abort(404)
        return render_template("item.html", it=it,
                               price=ledger.item_price_for(sku, g.me),
                               b=ledger.balance(g.me, ASSET))

    @app.route("/orders")
    @login_required
    def orders():
        mine = list(g.ledger.orders(g.me))[::-1]
        return render_template("orders.html", orders=mine)

    @app.route("/orders/<oid>", methods=["GET", "POST"])
    @login_required
    def order(oid):
        ledger = g.ledger
        try:
            o = ledger.order(oid)
        except (points.NotFound, points.InvalidArgument):
            abort(404)
        if o.account != g.me.id:
            abort(404)
        if request.method == "POST":
            action = request.form.get("action")
            reason = text(request.form, "reason", required=False)
            if action == "cancel":
                ledger.order_cancel(oid, g.user, reason)
                flash("order cancelled: the points are back", "ok")
            elif action == "return":
                ledger.order_return(oid, True, g.user, reason)
                flash("order returned: the points are back", "ok")
            else:
                raise BadInput("order %s: unknown action %r" % (oid, action))
            return redirect(url_for("order", oid=oid))
        return render_template("order.html", o=o, it=ledger.item(o.sku),
                               history=list(ledger.order_history(oid)))

    @app.route("/lottery")
    @login_required
    def lottery_list():
        return render_template("lotteries.html",
                               lots=lotteries(g.ledger)[::-1])

    @app.route("/lottery/<int:lid>", methods=["GET", "POST"])
    @login_required
    def lottery(lid):
        ledger = g.ledger
        try:
            lot = ledger.lottery(lid)
        except points.NotFound:
            abort(404)
        if request.method == "POST":
            d = ledger.lottery_draw(lid, g.me, idem(request.form, "draw"))
            prizes = ledger.lottery_prizes(lid)
            if d.outcome == points.LOTTERY_LOSE:
                what = "no prize this time (%d points consolation)" % \
                    d.credited
            else:
                what = "you won %s" % prizes[d.outcome].label
            flash("draw %d: %s" % (d.number, what), "ok")
            return redirect(url_for("lottery", lid=lid))
        audit = None
        if lot.state == points.LOTTERY_CLOSED:
            try:
                ledger.lottery_audit(lid)
                audit = "passed: all %d draws recomputed from the revealed " \
                        "seed match" % lot.draws
            except points.Corrupt as e:
                audit = "FAILED: %s" % e.message
        return render_template(
            "lottery.html", lot=lot, prizes=ledger.lottery_prizes(lid),
            results=ledger.lottery_results(lid), audit=audit,
            mine=list(ledger.lottery_draws(lid, g.me)),
            b=ledger.balance(g.me, ASSET))

    @app.route("/auctions")
    @login_required
    def auction_list():
        return render_template(
            "auctions.html", aucs=auctions(g.ledger)[::-1],
            outbid=notices(g.ledger, g.me.id, (points.OUTBOX_AUCTION_OUTBID,)))

    @app.route("/auction/<int:aid>", methods=["GET", "POST"])
    @login_required
    def auction(aid):
        ledger = g.ledger
        try:
            a = ledger.auction(aid)
        except points.NotFound:
            abort(404)
        if request.method == "POST":
            amount = whole(request.form, "amount", "bid")
            b = ledger.auction_bid(aid, g.me, amount, idem(request.form,
                                                          "bid"))
            flash("bid %d: %d points held; you lead" % (b.number, b.amount),
                  "ok")
            return redirect(url_for("auction", aid=aid))
        least = a.start_price if a.bids == 0 else a.price + a.increment
        return render_template(
            "auction.html", a=a, bids=list(ledger.auction_bids(aid))[::-1],
            least=least, b=ledger.balance(g.me, ASSET),
            outbid=[n for n in notices(ledger, g.me.id,
                                       (points.OUTBOX_AUCTION_OUTBID,))
                    if n[1].get("auction") == aid])

    @app.route("/notices")
    @login_required
    def notice_list():
        return render_template("notices.html", rows=notices(
            g.ledger, g.me.id, (points.OUTBOX_AUCTION_OUTBID,
                                points.OUTBOX_ORDER_STATE,
                                points.OUTBOX_ORDER_SWITCHED,
                                "lottery.won",
                                points.OUTBOX_POINTS_EXPIRING)))

    # ---- Administrator pages ----

    @app.route("/admin")
    @admin_required
    def admin_home():
        ledger = g.ledger
        low = [i for i in ledger.items() if 0 <= i.stock <= i.low_stock]
        waiting = {s: sum(1 for _ in ledger.orders(state=s))
                   for s in (points.ORDER_SUBMITTED, points.ORDER_APPROVED,
                             points.ORDER_SHIPPED)}
        return render_template("admin_home.html", low=low, waiting=waiting,
                               liab=ledger.liability(ASSET))

    @app.route("/admin/rules", methods=["GET", "POST"])
    @admin_required
    def admin_rules():
        ledger = g.ledger
        if request.method == "POST":
            # an event for an employee, as the HR system would send it
            ext = text(request.form, "employee")
            acct = ledger.find_account(ext)
            etype = text(request.form, "type", "event type")
            ref = text(request.form, "ref", "reference")
            amount = whole(request.form, "amount", default=0)
            r = ledger.event_apply("%s/%s/%s" % (ext, etype, ref), etype,
                                   acct, amount, {"course": ref},
                                   actor=g.user)
            flash("event %s/%s/%s: %d points%s" % (
                ext, etype, ref, r.points,
                " (sent before: nothing more)" if r.replayed else ""), "ok")
            return redirect(url_for("admin_rules"))
        rules = list(ledger.rules())
        exprs = {r.name: ledger.rule_expr(r.name, points.EXPR_POINTS)
                 for r in rules}
        return render_template("admin_rules.html", rules=rules, exprs=exprs)

    @app.route("/admin/rules/<name>", methods=["GET", "POST"])
    @admin_required
    def admin_rule(name):
        ledger = g.ledger
        try:
            cur = ledger.rule_get(name)
        except points.NotFound:
            abort(404)
        if request.method == "POST":
            f = request.form
            state = {v: k for k, v in points.RULE_STATES.items()}.get(
                f.get("state"))
            if state is None:
                raise BadInput("rule '%s': unknown state %r" % (
                    name, f.get("state")))
            reason = text(f, "reason", "rule '%s': reason for the change"
                          % name)
            beneficiary = ledger.rule_expr(name, points.EXPR_BENEFICIARY)
            cap_key = ledger.rule_expr(name, points.EXPR_CAP_KEY)
            r = ledger.rule_save(
                name, cur.event_type, f.get("points", ""), cur.asset, g.user,
                condition=f.get("condition", "").strip() or None,
                beneficiary=beneficiary or None, state=state,
                priority=cur.priority, flags=cur.flags,
                active_from=cur.active_from, active_until=cur.active_until,
                category=cur.category or None,
                expires_days=cur.expires_days,
                window_weekdays=cur.window_weekdays,
                window_monthdays=cur.window_monthdays,
                window_percent=cur.window_percent, cap_unit=cur.cap_unit,
                cap_day=cur.cap_day, cap_week=cur.cap_week,
                cap_month=cur.cap_month, cap_year=cur.cap_year,
                cap_total=cur.cap_total, cap_key=cap_key or None,
                cap_key_limit=cur.cap_key_limit,
                budget_points=cur.budget_points,
                budget_awards=cur.budget_awards, reason=reason,
                pending_days=cur.pending_days)
            flash("rule '%s' saved as version %d" % (name, r.version), "ok")
            return redirect(url_for("admin_rule", name=name))
        args = request.args
        preview = backtest = None
        if args.get("preview"):
            ext = text(args, "employee")
            amount = whole(args, "amount", default=0)
            preview = ledger.event_preview(
                "preview/%s" % uuid.uuid4().hex, cur.event_type,
                ledger.find_account(ext), amount, {"course": "preview"})
        if args.get("backtest"):
            version = whole(args, "version", default=0, minimum=0)
            days = whole(args, "days", "days back", default=365, minimum=1)
            backtest = ledger.rule_backtest(
                name, version, ledger.now() - days * DAY, None)
        return render_template(
            "admin_rule.html", r=cur,
            history=list(ledger.rule_history(name))[::-1],
            points_expr=ledger.rule_expr(name, points.EXPR_POINTS),
            condition=ledger.rule_expr(name, points.EXPR_CONDITION),
            preview=preview, backtest=backtest, args=args)

    @app.route("/admin/catalogue", methods=["GET", "POST"])
    @admin_required
    def admin_catalogue():
        ledger = g.ledger
        if request.method == "POST":
            sku = text(request.form, "sku")
            delta = whole(request.form, "delta", "stock change")
            it = ledger.item_restock(sku, delta, g.user,
                                     text(request.form, "reason",
                                          required=False))
            flash("%s: stock now %d" % (sku, it.stock), "ok")
            return redirect(url_for("admin_catalogue"))
        items = list(ledger.items())
        alerts = [(e, json.loads(e.data or "{}")) for e in ledger.outbox()
                  if e.kind in (points.OUTBOX_LOW_STOCK,
                                points.OUTBOX_OUT_OF_STOCK)][::-1][:10]
        return render_template("admin_catalogue.html", items=items,
                               alerts=alerts)

    @app.route("/admin/orders", methods=["GET", "POST"])
    @admin_required
    def admin_orders():
        ledger = g.ledger
        if request.method == "POST":
            f = request.form
            oid = text(f, "order")
            action = f.get("action")
            if action == "approve":
                o = ledger.order_approve(oid, g.user)
            elif action == "ship":
                o = ledger.order_ship(oid, text(f, "carrier"),
                                      text(f, "tracking", "tracking number"),
                                      g.user)
            elif action == "deliver":
                o = ledger.order_deliver(oid, g.user)
            elif action == "cancel":
                o = ledger.order_cancel(oid, g.user,
                                        text(f, "reason", required=False))
            else:
                raise BadInput("order %s: unknown action %r" % (oid, action))
            flash("order %s: %s" % (o.id, points.ORDER_STATES[o.state]), "ok")
            return redirect(url_for("admin_orders"))
        names = {a.id: a for a in employees(ledger)}
        groups = [(points.ORDER_STATES[s], list(ledger.orders(state=s)))
                  for s in (points.ORDER_SUBMITTED, points.ORDER_APPROVED,
                            points.ORDER_SHIPPED)]
        return render_template("admin_orders.html", groups=groups,
                               names=names)

    @app.route("/admin/activities", methods=["GET", "POST"])
    @admin_required
    def admin_activities():
        ledger = g.ledger
        if request.method == "POST":
            f = request.form
            if f.get("action") == "close":
                lid = whole(f, "lottery")
                ledger.lottery_close(lid)
                flash("lottery %d closed: its seed is revealed" % lid, "ok")
            elif f.get("action") == "settle":
                aid = whole(f, "auction")
                ledger.auction_settle(aid)
                flash("auction %d settled" % aid, "ok")
            else:
                raise BadInput("unknown action %r" % f.get("action"))
            return redirect(url_for("admin_activities"))
        return render_template("admin_activities.html",
                               lots=lotteries(ledger), aucs=auctions(ledger))

    @app.route("/admin/reports")
    @admin_required
    def admin_reports():
        ledger = g.ledger
        now = ledger.now()
        since = now - 365 * DAY
        names = {a.id: a.name for a in employees(ledger)}
        leaders = list(ledger.leaderboard(ASSET, since, 0, top=10))
        monthly = {}
        for kind, col in ((points.REPORT_ISSUED_BY_CATEGORY, 0),
                          (points.REPORT_REDEEMED_BY_CATEGORY, 1)):
            for r in ledger.report(kind, ASSET, since, 0,
                                   points.PERIOD_MONTH):
                monthly.setdefault(r.period, [0, 0])[col] += r.points
        months = sorted(monthly)
        rates = [(r.key, r.points, r.issued) for r in
                 ledger.report(points.REPORT_REDEMPTION_RATE, ASSET, since)
                 if r.key]
        by_rule = list(ledger.report(points.REPORT_ISSUED_BY_RULE, ASSET))
        forecast = list(ledger.expiry_forecast(ASSET))[:12]
        charts = {
            "leaders": hbars([("%s %s" % (l.external_id,
                                          names.get(l.account, "")),
                               l.points) for l in leaders], "points"),
            "monthly": vbars([datetime.fromtimestamp(
                m, timezone.utc).strftime("%b") for m in months],
                [("issued", [monthly[m][0] for m in months]),
                 ("redeemed", [monthly[m][1] for m in months])]),
            "rates": hbars([(k, round(100 * p / i, 1) if i else 0)
                            for k, p, i in rates], "%"),
            "forecast": vbars(["%d-%02d" % (f.year, f.month)
                               for f in forecast],
                              [("expiring", [f.points for f in forecast])]),
        }
        return render_template(
            "admin_reports.html", charts=charts, leaders=leaders,
            names=names, rates=rates, by_rule=by_rule,
            liab=ledger.liability(ASSET), forecast=forecast,
            monthly=[(m, monthly[m]) for m in months])

    @app.route("/admin/export.<fmt>")
    @admin_required
    def admin_export(fmt):
        if fmt not in ("csv", "journal", "jsonl"):
            abort(404)
        # streamed: each line is sent as the export reads it
        name = "welfare-ledger.%s" % fmt
        return Response(g.ledger.export(fmt),
                        mimetype="text/csv" if fmt == "csv"
                        else "text/plain",
                        headers={"Content-Disposition":
                                 "attachment; filename=%s" % name})

    @app.route("/admin/verify")
    @admin_required
    def admin_verify():
        ledger = g.ledger
        report = error = None
        if request.args.get("run"):
            try:
                report = ledger.verify()
            except points.Corrupt as e:
                error = e.message
        return render_template("admin_verify.html", report=report,
                               error=error, head=ledger.chain_head())


# ---- Charts, drawn here as SVG ----

def hbars(rows, unit, width=560, bar=18):
    """Horizontal bars: rows of (label, value)."""
    top = max([v for _l, v in rows] + [1])
    h = len(rows) * (bar + 6) + 10
    out = ['<svg class="chart" role="img" xmlns="http://www.w3.org/2000/svg" '
           'width="%d" height="%d">' % (width, h)]
    for i, (label, v) in enumerate(rows):
        y = 5 + i * (bar + 6)
        w = int((width - 260) * v / top)
        out.append('<text x="0" y="%d" class="label">%s</text>'
                   % (y + bar - 5, escape(str(label))))
        out.append('<rect x="190" y="%d" width="%d" height="%d" '
                   'class="s0"><title>%s: %s %s</title></rect>'
                   % (y, max(w, 1), bar, escape(str(label)), v, unit))
        out.append('<text x="%d" y="%d" class="value">%s %s</text>'
                   % (196 + w, y + bar - 5, v, unit))
    out.append("</svg>")
    return Markup("".join(out))


def vbars(labels, series, width=640, height=220):
    """Vertical bars, a group per label: series of (name, values)."""
    top = max([v for _n, vs in series for v in vs] + [1])
    n = max(len(labels), 1)
    group = (width - 40) / n
    bw = max(group / (len(series) + 1), 2)
    out = ['<svg class="chart" role="img" xmlns="http://www.w3.org/2000/svg" '
           'width="%d" height="%d">' % (width, height + 40)]
    for i, label in enumerate(labels):
        x0 = 40 + i * group
        for s, (name, values) in enumerate(series):
            v = values[i]
            bh = (height - 20) * v / top
            out.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" '
                       'class="s%d"><title>%s %s: %d</title></rect>'
                       % (x0 + s * bw, height - bh, bw, bh, s,
                          escape(label), name, v))
        out.append('<text x="%.1f" y="%d" class="label">%s</text>'
                   % (x0, height + 15, escape(label)))
    out.append('<text x="0" y="12" class="label">%d</text>' % top)
    for s, (name, _v) in enumerate(series):
        out.append('<rect x="%d" y="%d" width="10" height="10" class="s%d"/>'
                   '<text x="%d" y="%d" class="label">%s</text>'
                   % (60 + s * 110, height + 25, s, 75 + s * 110,
                      height + 35, escape(name)))
    out.append("</svg>")
    return Markup("".join(out))


def main():
    db = os.environ.get("WEBMALL_DB", "build/webmall/demo.db")
    port = int(os.environ.get("WEBMALL_PORT", "8000"))
    app = create_app("sqlite:%s?mode=rw" % db)
    print("welfare mall on http://127.0.0.1:%d/ (ledger %s)" % (port, db))
    app.run(host="127.0.0.1", port=port, threaded=True)


if __name__ == "__main__":
    main()
