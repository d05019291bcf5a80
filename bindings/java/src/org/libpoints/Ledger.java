package org.libpoints;

import java.lang.ref.Cleaner;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A ledger: one handle on a libpoints store ({@code points_db}).
 *
 * <pre>{@code
 * try (Ledger ledger = Ledger.open("sqlite:/var/lib/shop/points.db")) {
 *     ledger.createAsset("PTS", 0, ExpiryPolicy.DAYS, 365);
 *     long alice = ledger.createAccount("C1001", "Alice");
 *     ledger.earn(Posting.of("PTS", alice, 200).memo("order 1001"));
 *     Txn t = ledger.spend(Posting.of("PTS", alice, 50).idempotencyKey("voucher-7"));
 *     long left = ledger.getBalance(alice, "PTS").available(); // 150
 * }
 * }</pre>
 *
 * <p><b>Threads.</b> The C handle under a ledger is used by one thread at
 * a time, so a Ledger takes its calls one at a time (its methods, and its
 * iterators' steps, lock it): sharing one between threads is safe but
 * serial. Give each thread its own Ledger; several may share one SQLite
 * file (writes are serialized, none is lost).
 *
 * <p><b>Errors.</b> A failing call throws a {@link PointsException}
 * subclass and changes nothing. After {@link #close()} every method throws
 * {@link LedgerClosedException}. A Ledger never closed is closed when
 * garbage-collected, but close it: that is when an SQLite file is released.
 *
 * <p><b>Clock.</b> Every ledger reads time from a clock cell that
 * {@link #setClock(long)} moves (0: the system clock), so tests and
 * simulations can run expiry and holds' deadlines at any date.
 */
public final class Ledger implements AutoCloseable {
    private SWIGTYPE_p_points_db db;
    private final points_clock_cell cell;
    private final Native.LedgerState state;
    private final Cleaner.Cleanable cleanable;
    private final Store store; /* keeps the store reachable while we are */

    /** How to open a ledger: the clock's start and the UTC offset. */
    public static final class Options {
        private long clock;
        private Integer utcOffset; /* null: the ledger's */
        private int partitions;    /* 0: the store's default */

        /** Start the ledger's clock at this time (seconds since 1970); 0: the system clock. */
        public Options clock(long epochSeconds) {
            this.clock = epochSeconds;
            return this;
        }

        public Options clock(Instant t) {
            return clock(t.getEpochSecond());
        }

        /**
         * Seconds east of UTC, for calendar rules (expiry days, year ends).
         * A ledger stores it when it is created and keeps it: without this
         * option a ledger opens with its own (a new one with 0); with it,
         * the ledger's must be this one ({@link InvalidArgumentException}
         * otherwise). {@link Ledger#settings()} says which it is.
         */
        public Options utcOffset(int seconds) {
            this.utcOffset = seconds;
            return this;
        }

        /**
         * The partitions of the ledger's log, fixed when the ledger is
         * created (1 to 1024; without this option the store's default: 64
         * on PostgreSQL, else 1). An existing ledger must have this count
         * ({@link InvalidArgumentException} otherwise).
         */
        public Options partitions(int n) {
            if (n < 1 || n > capiConstants.POINTS_PARTITIONS_MAX)
                throw new InvalidArgumentException("partitions " + n
                        + " out of range (1 to " + capiConstants.POINTS_PARTITIONS_MAX + ")");
            this.partitions = n;
            return this;
        }
    }

    private Ledger(SWIGTYPE_p_points_db db, points_clock_cell cell, Native.LedgerState state,
            Store store) {
        this.db = db;
        this.cell = cell;
        this.state = state;
        this.store = store;
        this.cleanable = Native.CLEANER.register(this, state);
    }

    /* ---- Library ---- */

    /** The C library's version, e.g. "0.2.0". */
    public static String version() {
        return capi.points_version();
    }

    /** The running C library's version as major*1000000 + minor*1000 + patch. */
    public static int versionNumber() {
        return capi.points_version_number();
    }

    /** The library's name for a result code (e.g. -4: insufficient points). */
    public static String strerror(int code) {
        return capi.points_strerror(code);
    }

    /* ---- Handle ---- */

    /**
     * Open "memory:" or
     * "sqlite:PATH[?busy_timeout=MS&amp;exclusive=1&amp;sync=normal|full|off&amp;wal_budget=BYTES&amp;mode=rwc|rw]"
     * (mode=rw opens an existing ledger only: {@link NotFoundException} when
     * there is none; a file of another application is refused, untouched).
     */
    public static Ledger open(String uri) {
        return open(uri, new Options());
    }

    public static Ledger open(String uri, Options options) {
        return open(uri, null, options, null);
    }

    /** Open over a store; close the ledger before the store. */
    public static Ledger open(Store store) {
        return open(store, new Options());
    }

    public static Ledger open(Store store, Options options) {
        if (store == null)
            throw new InvalidArgumentException("store is required");
        return open(null, store, options, null);
    }

    /* One path for open and restore: a restore (restorePath set) replaces
     * the file at uri first, then opens it as open does. */
    private static Ledger open(String uri, Store store, Options options,
                               String restorePath) {
        if (options == null)
            options = new Options();
        points_open_options opts = new points_open_options();
        points_clock_cell cell = new points_clock_cell();
        try {
            capi.points_open_options_init(opts, capiConstants.POINTS_OPEN_OPTIONS_VERSION);
            if (options.utcOffset != null)
                opts.setUtc_offset(options.utcOffset);
            opts.setPartitions(options.partitions);
            cell.setNow(options.clock);
            capi.points_clock_cell_install(opts, cell);
            if (store == null) {
                SWIGTYPE_p_points_db db = restorePath != null
                    ? capi.points_restore(restorePath, uri, opts)
                    : capi.points_open(uri, opts);
                return new Ledger(db, cell, new Native.LedgerState(db, cell, null), null);
            }
            synchronized (Native.LOCK) {
                Native.StoreState ss = store.state();
                SWIGTYPE_p_points_db db = capi.points_open_store(ss.store, opts);
                Native.LedgerState ls = new Native.LedgerState(db, cell, ss);
                ss.ledgers.add(ls);
                return new Ledger(db, cell, ls, store);
            }
        } catch (RuntimeException | Error e) {
            cell.delete();
            throw e;
        } finally {
            opts.delete();
        }
    }

    /**
     * Replace the SQLite ledger at uri by the backup at path (made by
     * {@link #backup}), verified first, and open it. No ledger may be open
     * on uri meanwhile.
     */
    public static Ledger restore(String path, String uri, Options options) {
        return open(uri, null, options, path);
    }

    /**
     * Copy this SQLite ledger, as it is now, into a new file at path and
     * verify the copy.
     */
    public synchronized void backup(String path) {
        capi.points_backup(db(), path);
    }

    /** Close the ledger (an open batch is rolled back). Closing twice is a no-op. */
    @Override
    public synchronized void close() {
        if (db == null)
            return;
        db = null;
        cleanable.clean();
    }

    public synchronized boolean isClosed() {
        return db == null;
    }

    void checkOpen() {
        if (db == null)
            throw new LedgerClosedException();
    }

    private SWIGTYPE_p_points_db db() {
        SWIGTYPE_p_points_db d = db;
        if (d == null)
            throw new LedgerClosedException();
        return d;
    }

    /** The message of the last error on this ledger ("" or "not an error" after success). */
    public synchronized String errmsg() {
        return capi.points_errmsg(db());
    }

    /** The code of the last error on this ledger (0 after success). */
    public synchronized int errcode() {
        return capi.points_errcode(db());
    }

    /* ---- Settings ---- */

    /** What the ledger stored when it was created (its UTC offset). */
    public synchronized Settings settings() {
        return capi.points_settings_get(db());
    }

    /** The ledger's UTC offset, seconds east of UTC: {@code settings().utcOffset()}. */
    public int utcOffset() {
        return settings().utcOffset();
    }

    /* ---- Clock ---- */

    /** The ledger's clock, now (seconds since 1970). */
    public synchronized long now() {
        return capi.points_now(db());
    }

    public synchronized Instant nowInstant() {
        return Instant.ofEpochSecond(now());
    }

    /** Set the ledger's clock to this time; 0: back to the system clock. */
    public synchronized void setClock(long epochSeconds) {
        db();
        cell.setNow(epochSeconds);
    }

    public synchronized void setClock(Instant t) {
        setClock(t.getEpochSecond());
    }

    /** Move the ledger's clock by seconds (from now, if it was the system clock). */
    public synchronized void advanceClock(long seconds) {
        setClock(now() + seconds);
    }

    /* ---- Batches ---- */

    /**
     * Begin a batch: many operations in one store transaction. Commit it,
     * or closing it rolls it back:
     * <pre>{@code
     * try (Batch b = ledger.batch()) {
     *     for (...) ledger.earn(...);
     *     b.commit();
     * }
     * }</pre>
     */
    public synchronized Batch batch() {
        begin();
        return new Batch(this);
    }

    /** Begin a batch (explicit form of {@link #batch()}). */
    public synchronized void begin() {
        capi.points_batch_begin(db());
    }

    /** Commit the open batch; MisuseException when none is open. */
    public synchronized void commit() {
        capi.points_batch_commit(db());
    }

    /** Roll the open batch back; MisuseException when none is open. */
    public synchronized void rollback() {
        capi.points_batch_rollback(db());
    }

    /* ---- Assets ---- */

    public synchronized void createAsset(String code, int decimals, ExpiryPolicy policy, int n) {
        capi.points_asset_create(db(), code, decimals, policy.code(), n);
    }

    /** An asset with no decimals whose points never expire. */
    public synchronized void createAsset(String code) {
        createAsset(code, 0, ExpiryPolicy.NEVER, 0);
    }

    public synchronized Asset getAsset(String code) {
        return capi.points_asset_get(db(), code);
    }

    /** Replace an asset's policy as a whole; returns the asset as it now is. */
    public synchronized Asset setAssetPolicy(String code, AssetPolicy policy) {
        points_asset_policy p = new points_asset_policy();
        try {
            policy.fill(p);
            capi.points_asset_policy_set(db(), code, p);
        } finally {
            p.delete();
        }
        return getAsset(code);
    }

    /* ---- Accounts ---- */

    /** Create an account; returns its id. externalId must be unique; name may be null. */
    public synchronized long createAccount(String externalId, String name) {
        return createAccount(externalId, name, 0);
    }

    /** A budget pool (flags {@link Account#POOL}); returns its id. */
    public synchronized long createPool(String externalId, String name) {
        return createAccount(externalId, name, Account.POOL);
    }

    /** flags: {@link Account#SYSTEM}, {@link Account#ALLOW_NEGATIVE}, {@link Account#POOL}. */
    public synchronized long createAccount(String externalId, String name, int flags) {
        return capi.points_account_create(db(), externalId, name, flags & 0xffffffffL);
    }

    public synchronized Account getAccount(long id) {
        return capi.points_account_get(db(), id);
    }

    /** The account with this external id; NotFoundException if none. */
    public synchronized Account findAccount(String externalId) {
        return capi.points_account_find(db(), externalId);
    }

    /** null leaves a field as it is; "" clears it. */
    public synchronized void updateAccount(long id, String name, String tier, String department) {
        capi.points_account_update(db(), id, name, tier, department);
    }

    public synchronized void setAttribute(long id, String key, String value) {
        if (value == null)
            throw new InvalidArgumentException("value is null: use removeAttribute");
        capi.points_account_attr_set(db(), id, key, value);
    }

    /** The attribute's value; NotFoundException when it is not set. */
    public synchronized String getAttribute(long id, String key) {
        return capi.points_account_attr_get(db(), id, key);
    }

    public synchronized void removeAttribute(long id, String key) {
        capi.points_account_attr_set(db(), id, key, null);
    }

    public synchronized void freezeAccount(long id) {
        capi.points_account_freeze(db(), id);
    }

    public synchronized void unfreezeAccount(long id) {
        capi.points_account_unfreeze(db(), id);
    }

    /**
     * Close an account; only at zero balance (available, held and debt) in
     * every asset. {@link #forfeit(Forfeit)} closes one that still has points.
     */
    public synchronized void closeAccount(long id) {
        capi.points_account_close(db(), id);
    }

    /**
     * A leaver: release the account's open holds, move what it has left in
     * every asset to the forfeiture account (by default the expiry account),
     * write off its debts (the issuer's loss) and close it, in one
     * transaction ({@code points_account_forfeit}).
     */
    public synchronized ForfeitReport forfeit(Forfeit f) {
        return capi.points_account_forfeit(db(), f);
    }

    /** {@link #forfeit(Forfeit)} into the expiry account, without a key. */
    public synchronized ForfeitReport forfeit(long account, String memo) {
        return forfeit(Forfeit.of(account).memo(memo));
    }

    /**
     * Change an account's tier and department (null leaves one as it is, ""
     * clears it) and status (null leaves it; ACTIVE, FROZEN, CLOSED as
     * unfreeze, freeze, close) in one call, each change kept in its
     * history with actor and reason (either may be null). A retry with
     * the same idempotencyKey (may be null) changes nothing and returns
     * the account as it is; another request under the key is a
     * {@link ConflictException}. Returns the account after the change.
     */
    public synchronized Account changeAccount(long id, String tier, String department,
            AccountStatus status, String actor, String reason, String idempotencyKey) {
        return capi.points_account_apply_fields(db(), id, tier, department,
                status == null ? capiConstants.POINTS_ACCOUNT_KEEP : status.code(), actor, reason,
                idempotencyKey);
    }

    /**
     * The changes of an account's department, tier and status, and its
     * erasure, oldest first; id 0: every account's, by account.
     */
    public synchronized Results<AccountChange> accountHistory(long id) {
        checkOpen();
        return new Results<>(() -> iterate(
                db -> capi.points_account_history_iterator_new(db, id),
                capi::points_account_history_next, capi::points_account_history_iterator_free));
    }

    /**
     * Erase a closed account's personal data: its external id (free for a
     * new account then), name and attributes. Its entries, balances and
     * history stay, and the ledger still verifies; the erasure is kept in
     * its history with actor and reason (either may be null), without the
     * erased values. Erasing twice changes nothing.
     */
    public synchronized void eraseAccount(long id, String actor, String reason) {
        capi.points_account_erase(db(), id, actor, reason);
    }

    // ---- Earning rules and events ----

    /**
     * Save a rule (version 1) or a new version of it
     * ({@code points_rule_save}); returns the version saved. A bad
     * expression is an {@link InvalidArgumentException} naming it, its
     * column and the reason; a retired rule a {@link StateException}.
     */
    public synchronized Rule saveRule(RuleDef d) {
        return capi.points_rule_save_fields(db(), d.name, d.eventType, d.condition, d.points,
                d.asset, d.beneficiary, d.state == null ? capiConstants.POINTS_RULE_DRAFT
                        : d.state.code(), d.priority, d.flags & 0xffffffffL, d.activeFrom,
                d.activeUntil, d.category, d.expiresDays, d.windowWeekdays & 0xffffffffL,
                d.windowMonthdays & 0xffffffffL, d.windowPercent, d.capUnit, d.capDay, d.capWeek,
                d.capMonth, d.capYear, d.capTotal, d.capKey, d.capKeyLimit, d.budgetPoints,
                d.budgetAwards, d.author, d.reason, d.pendingDays);
    }

    /** A new version of rule name with only its state changed; reason may be null. */
    public synchronized Rule setRuleState(String name, RuleState state, String author,
            String reason) {
        return capi.points_rule_set_state(db(), name, state.code(), author, reason);
    }

    /** Version version of rule name (0: the latest). */
    public synchronized Rule rule(String name, long version) {
        return capi.points_rule_get(db(), name, version);
    }

    /** The latest version of rule name. */
    public Rule rule(String name) {
        return rule(name, 0);
    }

    /** A rule's expression as saved in version version (0: the latest); "" when none. */
    public synchronized String ruleExpr(String name, RuleExpr which, long version) {
        return capi.points_rule_expr_get(db(), name, version, which.code());
    }

    /** The versions of rule name, oldest first. */
    /** Every rule by name, each as its latest version (retired ones too: their state says so). */
    public synchronized Results<Rule> rules() {
        checkOpen();
        return new Results<>(() -> iterate(
                db -> capi.points_rule_iterator_new(db),
                capi::points_rule_next, capi::points_rule_iterator_free));
    }

    public synchronized Results<Rule> ruleHistory(String name) {
        checkOpen();
        return new Results<>(() -> iterate(
                db -> capi.points_rule_history_iterator_new(db, name),
                capi::points_rule_history_next, capi::points_rule_history_iterator_free));
    }

    // ---- Scheduled grants ----

    /**
     * Save a scheduled grant (version 1) or a new version of it
     * ({@code points_grant_save}); returns the version saved. A bad
     * expression is an {@link InvalidArgumentException} naming it, its
     * column and the reason; a retired grant a {@link StateException}.
     */
    public synchronized Grant saveGrant(GrantDef d) {
        return capi.points_grant_save_fields(db(), d.name, d.asset, d.period, d.condition,
                d.points, d.pool, d.category, d.expiresDays, d.flags & 0xffffffffL,
                d.state == null ? capiConstants.POINTS_RULE_DRAFT : d.state.code(), d.author,
                d.reason);
    }

    /** A new version of grant name with only its state changed; reason may be null. */
    public synchronized Grant setGrantState(String name, RuleState state, String author,
            String reason) {
        return capi.points_grant_set_state(db(), name, state.code(), author, reason);
    }

    /** Version version of grant name (0: the latest). */
    public synchronized Grant grant(String name, long version) {
        return capi.points_grant_get(db(), name, version);
    }

    /**
     * A grant's condition ({@link RuleExpr#CONDITION}) or points formula
     * ({@link RuleExpr#POINTS}) as saved in version version (0: the latest); "" when none.
     */
    public synchronized String grantExpr(String name, RuleExpr which, long version) {
        return capi.points_grant_expr_get(db(), name, version, which.code());
    }

    /**
     * Pay active grant name for the period that contains asOf (0: now), each
     * matching account once a period ({@code points_grant_run}).
     */
    public synchronized GrantReport runGrant(String name, long asOf) {
        return capi.points_grant_run(db(), name, asOf);
    }

    /** Run every active grant for the period that contains asOf (0: now). */
    public synchronized GrantReport runDueGrants(long asOf) {
        return capi.points_grant_run_due(db(), asOf);
    }

    /**
     * What grant name paid account for the period that contains asOf (0: now); a
     * {@link NotFoundException} when it was not paid.
     */
    public synchronized GrantAward grantAward(String name, long asOf, long account) {
        return capi.points_grant_award_get(db(), name, asOf, account);
    }

    /** What grant name paid for the period that contains asOf (0: now), by account id. */
    public synchronized Results<GrantAward> grantAwards(String name, long asOf) {
        checkOpen();
        return new Results<>(() -> iterate(
                db -> capi.points_grant_award_iterator_new(db, name, asOf),
                capi::points_grant_award_next, capi::points_grant_award_iterator_free));
    }

    // ---- Approval (four eyes) ----

    /**
     * Nominate a manual award for approval ({@code points_approval_nominate}): nothing
     * is posted until another actor approves it. category null: "award"; expiresDays 0:
     * the asset's policy; memo may be null.
     */
    public synchronized Approval nominateAward(long account, String asset, long points,
            String category, long expiresDays, String memo, String nominator) {
        return nominateAward(account, asset, points, category, expiresDays, memo, nominator,
                null);
    }

    /**
     * The same with an idempotency key (may be null): a retry with the same key returns
     * the approval it made, as it is now; the key with another request is a
     * {@link ConflictException}.
     */
    public synchronized Approval nominateAward(long account, String asset, long points,
            String category, long expiresDays, String memo, String nominator,
            String idempotencyKey) {
        return capi.points_approval_nominate_fields(db(), account, asset, points, category,
                expiresDays, memo, nominator, idempotencyKey);
    }

    /**
     * Approve an award: its points are earned now. Its nominator may not
     * ({@link PermissionException}); a decided one is a {@link StateException}.
     */
    public synchronized Approval approve(long id, String approver, String reason) {
        return capi.points_approval_approve(db(), id, approver, reason);
    }

    /** Reject an award, with a reason (required): nothing is posted. */
    public synchronized Approval reject(long id, String approver, String reason) {
        return capi.points_approval_reject(db(), id, approver, reason);
    }

    public synchronized Approval approval(long id) {
        return capi.points_approval_get(db(), id);
    }

    /** The approvals still pending, of account (0: every account's), oldest first. */
    public synchronized Results<Approval> pendingApprovals(long account) {
        checkOpen();
        return new Results<>(() -> iterate(
                db -> capi.points_approval_iterator_new(db, account),
                capi::points_approval_next, capi::points_approval_iterator_free));
    }

    /** Add or change a row of the tier table: percent 150 is 1.5x. */
    public synchronized void setTier(String name, int rank, long percent) {
        capi.points_tier_set(db(), name, rank, percent);
    }

    public synchronized Tier tier(String name) {
        return capi.points_tier_get(db(), name);
    }

    /**
     * Set the qualification of tier {@code name} (rank above 0): at least {@code points} of
     * {@code asset} earned in {@code months} calendar months (1-36). A null asset (points
     * and months 0) removes it. An earn that makes an account meet a tier above its own
     * moves it up at once; {@link #tierSweep} moves accounts down.
     */
    public synchronized void qualifyTier(String name, String asset, long points, int months) {
        capi.points_tier_qualify(db(), name, asset, points, months);
    }

    /**
     * What account earned of asset in the calendar month of asOf (0: now) and the
     * {@code months - 1} before it, as tier qualification counts it.
     */
    public synchronized long tierEarned(long account, String asset, int months, long asOf) {
        return capi.points_tier_earned(db(), account, asset, months, asOf);
    }

    /**
     * Evaluate every account's tier at asOf (0: now): down when its figure fell below its
     * tier's qualification, up when it meets a higher tier. Idempotent; run it with
     * {@link #expireSweep}.
     */
    public synchronized TierSweepReport tierSweep(long asOf) {
        return capi.points_tier_sweep(db(), asOf);
    }

    /**
     * What version {@code version} (0: the latest) of rule {@code name}, a
     * draft typically, would have awarded over the logged events with
     * {@code from <= time < until} (0: no bound), in force alone, writing
     * nothing ({@code points_rule_backtest}).
     */
    public synchronized Backtest ruleBacktest(String name, long version, long from,
            long until) {
        SWIGTYPE_p_points_backtest b = capi.points_rule_backtest(db(), name, version,
                from, until);
        try {
            BacktestSummary s = capi.points_backtest_summary_get(b);
            List<BacktestRow> rows = new ArrayList<>();
            for (long i = 0; i < s.accounts(); i++)
                rows.add(capi.points_backtest_row_get(b, i));
            return new Backtest(s, rows);
        } finally {
            capi.points_backtest_free(b);
        }
    }

    /*
     * The result r as Java data; r is freed here, whatever happens.
     */
    private static EventResult readResult(SWIGTYPE_p_points_event_result r) {
        try {
            EventSummary s = capi.points_event_result_summary(r);
            List<RuleOutcome> outs = new ArrayList<>();
            for (long i = 0; i < s.outcomes(); i++)
                outs.add(capi.points_event_result_outcome(r, i));
            return new EventResult(s, outs,
                    EventResult.parseLines(capi.points_event_result_lines(r)));
        } finally {
            capi.points_event_result_free(r);
        }
    }

    /**
     * Apply an event ({@code points_event_apply}): every rule in force for
     * its type evaluates it, and the awards are posted in one transaction.
     * The same event again returns the first result ({@code replayed()});
     * the same id with another event is a {@link ConflictException}.
     */
    public synchronized EventResult applyEvent(Event e) {
        return readResult(capi.points_event_fields(db(), 0, e.id, e.type, e.account, e.time,
                e.amount, e.attrs, e.actor));
    }

    /** What {@link #applyEvent(Event)} would give, writing nothing. */
    public synchronized EventResult previewEvent(Event e) {
        return readResult(capi.points_event_fields(db(), 1, e.id, e.type, e.account, e.time,
                e.amount, e.attrs, e.actor));
    }

    /** An applied event's result, from the event log. */
    public synchronized EventResult event(String id) {
        return readResult(capi.points_event_get(db(), id));
    }

    /**
     * A refund ({@code points_event_reverse}): take back what event eventId
     * gave, in whole (amount 0) or for the part amount of its amount. memo,
     * idempotencyKey and actor may be null; noDebt: refuse
     * ({@link InsufficientPointsException}) rather than make a debt.
     */
    public synchronized EventResult reverseEvent(String eventId, long amount, String memo,
            String idempotencyKey, String actor, boolean noDebt) {
        return readResult(capi.points_event_reverse_fields(db(), eventId, amount, memo,
                idempotencyKey, actor, noDebt ? capiConstants.POINTS_REVERSE_NO_DEBT : 0,
                null));
    }

    /**
     * A refund of line items ({@code points_event_reverse}): take back
     * what lines of event eventId earned. lines is a JSON list of indexes
     * into {@code event.attrs.lines} ({@code "[0, 2]"}) or of line ids
     * ({@code "[\"T1\"]"}); {@link EventResult#lines()} lists the lines
     * refunded. A line refunded before is a {@link StateException}.
     */
    public synchronized EventResult reverseEventLines(String eventId, String lines,
            String memo, String idempotencyKey, String actor, boolean noDebt) {
        return readResult(capi.points_event_reverse_fields(db(), eventId, 0, memo,
                idempotencyKey, actor, noDebt ? capiConstants.POINTS_REVERSE_NO_DEBT : 0,
                lines));
    }

    // ---- The points mall: the catalogue ----

    private Item saveItem(int create, ItemDef d) {
        return capi.points_item_save_fields(db(), create, d.sku, d.name, d.description,
                d.imageUrl, d.category, d.asset, d.price, d.stock, d.lowStock, d.orderLimit,
                d.returnDays, d.minTier, d.listed ? 1 : 0, d.actor, d.reason, d.cash);
    }

    /**
     * Add an item to the catalogue ({@code points_item_create}); an
     * {@link AlreadyExistsException} when its SKU is taken.
     */
    public synchronized Item createItem(ItemDef d) {
        return saveItem(1, d);
    }

    /**
     * Change every field of item d's SKU as d has it, the stock included (an
     * absolute figure: {@link #restockItem} moves it by a delta); each change
     * is kept in the item's history ({@code points_item_update}).
     */
    public synchronized Item updateItem(ItemDef d) {
        return saveItem(0, d);
    }

    /** Move item sku's stock by delta (&gt; 0 adds, &lt; 0 takes away); reason may be null. */
    public synchronized Item restockItem(String sku, long delta, String actor, String reason) {
        return capi.points_item_restock(db(), sku, delta, actor, reason);
    }

    /** List or delist item sku; reason may be null. */
    public synchronized Item setItemListed(String sku, boolean listed, String actor,
            String reason) {
        return capi.points_item_set_listed(db(), sku, listed ? 1 : 0, actor, reason);
    }

    /** What accounts of tier pay for a unit of item sku; price 0 removes the tier price. */
    public synchronized Item setItemTierPrice(String sku, String tier, long price, String actor,
            String reason) {
        return capi.points_item_set_tier_price(db(), sku, tier, price, actor, reason);
    }

    /** A flash discount's kind: a percentage off ({@code POINTS_FLASH_PERCENT}). */
    public static final int FLASH_PERCENT = capiConstants.POINTS_FLASH_PERCENT;
    /** A flash discount's kind: a fixed price, a cap ({@code POINTS_FLASH_PRICE}). */
    public static final int FLASH_PRICE = capiConstants.POINTS_FLASH_PRICE;
    /** The periods of the limits per account ({@code POINTS_PERIOD_*}). */
    public static final int PERIOD_DAY = capiConstants.POINTS_PERIOD_DAY;
    public static final int PERIOD_WEEK = capiConstants.POINTS_PERIOD_WEEK;
    public static final int PERIOD_MONTH = capiConstants.POINTS_PERIOD_MONTH;
    public static final int PERIOD_YEAR = capiConstants.POINTS_PERIOD_YEAR;

    /**
     * A flash discount on item sku from starts until (before) ends, seconds since 1970 (starts 0:
     * now): kind {@link #FLASH_PERCENT} takes value percent (1-99) off the account's price, the
     * points off rounded down; {@link #FLASH_PRICE} caps it at value. Value 0 removes it. An order
     * pays the price in force when it is placed ({@code points_item_set_flash}).
     */
    public synchronized Item setItemFlash(String sku, int kind, long value, long starts, long ends,
            String actor, String reason) {
        return capi.points_item_set_flash(db(), sku, kind, value, starts, ends, actor, reason);
    }

    /**
     * Item sku's redemption window: the days of the week (bit 0 Monday) and of the month (bit 0
     * the 1st) it may be ordered on, in the ledger's UTC offset; 0 for both: always.
     */
    public synchronized Item setItemWindow(String sku, int weekdays, int monthdays, String actor,
            String reason) {
        return capi.points_item_set_window(db(), sku, weekdays, monthdays, actor, reason);
    }

    /**
     * The first time at or after t (0: now) item sku may be ordered, in seconds; 0 when the
     * mall's window and the item's never meet.
     */
    public synchronized long itemNextOpening(String sku, long t) {
        return capi.points_item_next_opening(db(), sku, t);
    }

    /** At most units of item sku an account may order in a period; 0 removes the limit. */
    public synchronized Item setItemPeriodLimit(String sku, int period, long units, String actor,
            String reason) {
        return capi.points_item_set_period_limit(db(), sku, period, units, actor, reason);
    }

    /**
     * The units account ordered of item sku in the period holding t (0: now), cancelled and
     * returned orders left out: what the item's limit counts.
     */
    public synchronized long orderUnitsInPeriod(long account, String sku, int period, long t) {
        return capi.points_order_units_in_period(db(), account, sku, period, t);
    }

    /** The mall's redemption window (an order needs it and the item's open). */
    public synchronized MallSettings setMallWindow(int weekdays, int monthdays, String actor,
            String reason) {
        return capi.points_mall_set_window(db(), weekdays, monthdays, actor, reason);
    }

    public synchronized MallSettings mallSettings() {
        return capi.points_mall_settings_get(db());
    }

    /**
     * The balance of asset an account must have to spend before it may redeem at all; 0 removes
     * it.
     */
    public synchronized void setMallMinBalance(String asset, long points, String actor,
            String reason) {
        capi.points_mall_set_min_balance(db(), asset, points, actor, reason);
    }

    /** The mall's minimum balance of asset; 0: none. */
    public synchronized long mallMinBalance(String asset) {
        return capi.points_mall_min_balance_get(db(), asset);
    }

    /**
     * What asset's points are worth in cash ({@code points_mall_set_cash_ratio}):
     * points points = cash minor units of the host's currency (100 points =
     * 10.00 yuan: 100, 1000), each 1 to 1,000,000,000; 0 and 0 remove it.
     * Points paid in cash cost their cash rounded up.
     */
    public synchronized CashRatio setCashRatio(String asset, long points, long cash,
            String actor, String reason) {
        return capi.points_mall_set_cash_ratio(db(), asset, points, cash, actor, reason);
    }

    /** An order's allowance pays first ({@code POINTS_PAY_ALLOWANCE_FIRST}: the default). */
    public static final int PAY_ALLOWANCE_FIRST = capiConstants.POINTS_PAY_ALLOWANCE_FIRST;
    /** An order's points pay first ({@code POINTS_PAY_POINTS_FIRST}). */
    public static final int PAY_POINTS_FIRST = capiConstants.POINTS_PAY_POINTS_FIRST;

    /**
     * Which of an order's allowance and points pays first
     * ({@code points_mall_set_pay_order}): {@link #PAY_ALLOWANCE_FIRST} (the
     * default) or {@link #PAY_POINTS_FIRST}. The first pays what it can, the
     * second the rest.
     */
    public synchronized MallSettings setMallPayOrder(int payOrder, String actor, String reason) {
        return capi.points_mall_set_pay_order(db(), payOrder, actor, reason);
    }

    /** The points-to-cash ratio of asset (points and cash 0: none). */
    public synchronized CashRatio cashRatio(String asset) {
        return capi.points_mall_cash_ratio_get(db(), asset);
    }

    public synchronized Item item(String sku) {
        return capi.points_item_get(db(), sku);
    }

    /** Item sku's price for tier; a {@link NotFoundException} when it has none. */
    public synchronized long itemTierPrice(String sku, String tier) {
        return capi.points_item_tier_price_get(db(), sku, tier);
    }

    /** What account pays for a unit of item sku: its tier's price, else the item's. */
    public synchronized long itemPriceFor(String sku, long account) {
        return capi.points_item_price_for(db(), sku, account);
    }

    /**
     * The catalogue by SKU: the items of category and its sub-categories
     * (null: every item), only those listed and in stock when asked.
     */
    public synchronized Results<Item> items(String category, boolean listedOnly,
            boolean inStockOnly) {
        checkOpen();
        long flags = (listedOnly ? capiConstants.POINTS_ITEMS_LISTED : 0)
                | (inStockOnly ? capiConstants.POINTS_ITEMS_IN_STOCK : 0);
        return new Results<>(() -> iterate(
                db -> capi.points_item_iterator_new(db, category, flags),
                capi::points_item_next, capi::points_item_iterator_free));
    }

    /**
     * A query over the catalogue: the items of a category and its
     * sub-categories, in a range of prices, listed and in stock only, what
     * an account can afford now, sorted by SKU, popularity, price or newest.
     */
    public synchronized Results<Item> browse(ItemQuery q) {
        checkOpen();
        java.util.Objects.requireNonNull(q, "q");
        String category = q.category, allowance = q.allowance;
        long flags = q.flags, min = q.priceMin, max = q.priceMax, account = q.account;
        int sort = q.sort.code;
        return new Results<>(() -> iterate(
                db -> capi.points_item_query_fields(db, category, flags, min, max, account,
                        sort, allowance),
                capi::points_item_next, capi::points_item_iterator_free));
    }

    /** The changes of item sku, oldest first. */
    public synchronized Results<ItemChange> itemHistory(String sku) {
        checkOpen();
        return new Results<>(() -> iterate(
                db -> capi.points_item_history_iterator_new(db, sku),
                capi::points_item_history_next, capi::points_item_history_iterator_free));
    }

    // ---- The points mall: orders ----

    /**
     * Place an order ({@code points_order_place}): checks the account, the
     * item (listed, tier, stock, order limit) and what the account has, then
     * holds the points and takes the stock, in one transaction. Each refusal
     * has its own exception ({@link FrozenException}, {@link StateException}
     * for a delisted item, {@link NotEligibleException},
     * {@link OutOfStockException}, {@link QuotaExceededException},
     * {@link InsufficientPointsException}, ...) and writes nothing. note,
     * idempotencyKey and actor may be null; the same key again returns the
     * first order ({@code replayed()}).
     */
    public synchronized Order placeOrder(long account, String sku, long quantity, String note,
            String idempotencyKey, String actor) {
        return placeOrder(account, sku, quantity, note, idempotencyKey, actor, -1);
    }

    /**
     * Place an order paying at most pointsMax points (-1: all in points);
     * the rest of the points price is paid in cash at the asset's ratio
     * ({@link #setCashRatio}), rounded up, and recorded on the order
     * ({@code cash()}, {@code cashPoints()}): the host collects it.
     */
    public synchronized Order placeOrder(long account, String sku, long quantity, String note,
            String idempotencyKey, String actor, long pointsMax) {
        return placeOrder(account, sku, quantity, note, idempotencyKey, actor, pointsMax, null);
    }

    /**
     * Place an order that may also spend allowance, another asset (a yearly
     * welfare allowance), 1:1 in the item's price, in the mall's pay order
     * ({@link #setMallPayOrder}); null: none. The order holds both and
     * approving, cancelling and returning it move both
     * ({@code allowanceAmount()}, {@code allowanceHoldId()}, ...).
     */
    public synchronized Order placeOrder(long account, String sku, long quantity, String note,
            String idempotencyKey, String actor, long pointsMax, String allowance) {
        return capi.points_order_place_fields(db(), account, sku, quantity, note,
                idempotencyKey, actor, pointsMax, allowance);
    }

    /** One unit of sku for account. */
    public Order placeOrder(long account, String sku) {
        return placeOrder(account, sku, 1, null, null, null);
    }

    /** submitted -&gt; approved: the points are captured (spent); actor and reason may be null. */
    public synchronized Order approveOrder(String id, String actor, String reason) {
        return capi.points_order_approve(db(), id, actor, reason);
    }

    /** submitted or approved -&gt; cancelled: the points and the stock come back. */
    public synchronized Order cancelOrder(String id, String actor, String reason) {
        return capi.points_order_cancel(db(), id, actor, reason);
    }

    /** approved -&gt; shipped, with the carrier and the tracking number. */
    public synchronized Order shipOrder(String id, String carrier, String tracking, String actor,
            String reason) {
        return capi.points_order_ship(db(), id, carrier, tracking, actor, reason);
    }

    /** shipped (or approved: a virtual item, a service) -&gt; delivered. */
    public synchronized Order deliverOrder(String id, String actor, String reason) {
        return capi.points_order_deliver(db(), id, actor, reason);
    }

    /**
     * delivered -&gt; returned, within the item's return days after the delivery:
     * the points refunded; restock gives the units back to the stock.
     */
    public synchronized Order returnOrder(String id, boolean restock, String actor,
            String reason) {
        return capi.points_order_return(db(), id, restock ? 1 : 0, actor, reason);
    }

    /**
     * delivered -&gt; exchanging, within the return period: a replacement of the same
     * item is to be shipped ({@link #shipOrder}, then {@link #deliverOrder}), its units
     * taken from the stock; no points move.
     */
    public synchronized Order exchangeOrder(String id, String actor, String reason) {
        return capi.points_order_exchange(db(), id, actor, reason);
    }

    /**
     * Switch a submitted or approved order to replacement item sku (no dearer a unit for
     * the account), in the same state; the difference is refunded and the outbox tells
     * the employee ({@code order.switched}).
     */
    public synchronized Order switchOrder(String id, String sku, String actor, String reason) {
        return capi.points_order_switch(db(), id, sku, actor, reason);
    }

    public synchronized Order order(String id) {
        return capi.points_order_get(db(), id);
    }

    /**
     * Orders, oldest first: of account (0: any), in state (null: any), of item
     * sku (null: any).
     */
    public synchronized Results<Order> orders(long account, OrderState state, String sku) {
        checkOpen();
        int st = state == null ? -1 : state.code();
        return new Results<>(() -> iterate(
                db -> capi.points_order_iterator_new(db, account, st, sku),
                capi::points_order_next, capi::points_order_iterator_free));
    }

    /**
     * Upload codes (shopping-card numbers) to item sku, one a line; each adds a unit
     * to its stock, and approving an order issues one a unit.  A code uploaded before
     * (to any item) refuses the whole upload; reason may be null.
     */
    public synchronized CodePool itemCodesAdd(String sku, String codes, String actor,
            String reason) {
        return capi.points_item_codes_add(db(), sku, codes, actor, reason);
    }

    /** Upload codes to item sku, one a string: {@link #itemCodesAdd(String, String, String, String)}. */
    public synchronized CodePool itemCodesAdd(String sku, java.util.List<String> codes,
            String actor, String reason) {
        return itemCodesAdd(sku, String.join("\n", codes), actor, reason);
    }

    /** Item sku's code pool (all 0 when it has none). */
    public synchronized CodePool itemCodes(String sku) {
        return capi.points_item_codes_get(db(), sku);
    }

    /** The codes issued to an order when it was approved, in the order issued. */
    public synchronized Results<OrderCode> orderCodes(String id) {
        checkOpen();
        return new Results<>(() -> iterate(
                db -> capi.points_order_code_iterator_new(db, id),
                capi::points_order_code_next, capi::points_order_code_iterator_free));
    }

    /**
     * Set the units of item part in a unit of bundle sku (0 removes the component):
     * an item with components is a bundle, sold at its own price, whose orders take
     * each component's units from its stock.  Kept in the item's history; reason may
     * be null.
     */
    public synchronized Item bundleSetPart(String sku, String part, long quantity,
            String actor, String reason) {
        return capi.points_bundle_set_part(db(), sku, part, quantity, actor, reason);
    }

    /** The components of item sku, in the order added (none for a plain item). */
    public synchronized Results<BundlePart> bundleParts(String sku) {
        checkOpen();
        return new Results<>(() -> iterate(
                db -> capi.points_bundle_part_iterator_new(db, sku),
                capi::points_bundle_part_next, capi::points_bundle_part_iterator_free));
    }

    /** The components an order of a bundle took when it was placed (units: what it took). */
    public synchronized Results<BundlePart> orderParts(String id) {
        checkOpen();
        return new Results<>(() -> iterate(
                db -> capi.points_order_part_iterator_new(db, id),
                capi::points_bundle_part_next, capi::points_bundle_part_iterator_free));
    }

    /** An order's changes of state, oldest first. */
    public synchronized Results<OrderChange> orderHistory(String id) {
        checkOpen();
        return new Results<>(() -> iterate(
                db -> capi.points_order_history_iterator_new(db, id),
                capi::points_order_history_next, capi::points_order_history_iterator_free));
    }

    // ---- The outbox ----

    /** The first outbox event after sequence number afterSeq, or null when there is none yet. */
    public synchronized OutboxEvent outboxNext(long afterSeq) {
        return capi.points_outbox_next(db(), afterSeq);
    }

    /**
     * Set account trigger name ({@code points_trigger_set}): an
     * {@link OutboxEvent#ACCOUNT_TRIGGER} event each time a user account's
     * balance of asset (available + pending) rises from below level to level
     * or above, in the transaction of the change. Replaces a trigger of that
     * name.
     */
    public synchronized Trigger setBalanceTrigger(String name, String asset, long level) {
        return capi.points_trigger_set(db(), name, Trigger.BALANCE, asset, level, null);
    }

    /** Set account trigger name: an event each time an account's tier changes to tier (null: any change). */
    public synchronized Trigger setTierTrigger(String name, String tier) {
        return capi.points_trigger_set(db(), name, Trigger.TIER, null, 0, tier);
    }

    /** Remove account trigger name ({@link NotFoundException} when there is none). */
    public synchronized void removeTrigger(String name) {
        capi.points_trigger_remove(db(), name);
    }

    /** The account triggers, by name. */
    public synchronized Results<Trigger> triggers() {
        checkOpen();
        return new Results<>(() -> iterate(
                db -> capi.points_trigger_iterator_new(db),
                capi::points_trigger_next, capi::points_trigger_iterator_free));
    }

    /**
     * Create a lottery ({@code points_lottery_create}): its secret seed is drawn
     * now and its commitment published. Returns the {@link Lottery}.
     */
    public synchronized Lottery createLottery(LotteryDef def) {
        SWIGTYPE_p_points_db h = db();
        points_lottery_def d = def.toC();
        try {
            return capi.points_lottery_get(h, capi.points_lottery_create(h, d));
        } finally {
            d.delete();
        }
    }

    /** The lottery with this id, as it stands. */
    public synchronized Lottery lottery(long id) {
        return capi.points_lottery_get(db(), id);
    }

    /** Prize index (0, 1, ...) of lottery id, its stock as it stands. */
    public synchronized LotteryPrize lotteryPrize(long id, int index) {
        return capi.points_lottery_prize_get(db(), id, index);
    }

    /** The prizes of lottery id, in order. */
    public synchronized List<LotteryPrize> lotteryPrizes(long id) {
        int n = lottery(id).nprizes();
        List<LotteryPrize> out = new java.util.ArrayList<>(n);
        for (int i = 0; i < n; i++)
            out.add(lotteryPrize(id, i));
        return out;
    }

    /**
     * One draw of lottery id for account ({@code points_lottery_draw_once}), in
     * one transaction: the cost debited, the outcome picked from the seed, a unit
     * of the prize's stock taken, a points prize or consolation credited.
     * Refusals ({@link WindowClosedException}, {@link NotEligibleException},
     * {@link QuotaExceededException}, {@link InsufficientPointsException},
     * {@link StateException} once closed) write nothing; the same
     * idempotencyKey (may be null) again returns the first draw.
     */
    public synchronized LotteryDraw drawLottery(long id, long account, String idempotencyKey) {
        return capi.points_lottery_draw_once(db(), id, account, idempotencyKey);
    }

    /** Draw number (1, 2, ...) of lottery id. */
    public synchronized LotteryDraw lotteryDraw(long id, long number) {
        return capi.points_lottery_draw_get(db(), id, number);
    }

    /**
     * What lottery id has done so far: accounts that drew, draws, wins, points collected and
     * credited (each prize's units won: its initial - stock).
     */
    public synchronized LotteryResults lotteryResults(long id) {
        return capi.points_lottery_results_get(db(), id);
    }

    /**
     * The draws of lottery id by number (account 0), or of an account (in lottery id, or in every
     * lottery when id is 0) lottery by lottery, each newest first; wonOnly: the winning draws only.
     */
    public synchronized Results<LotteryDraw> lotteryDraws(long id, long account, boolean wonOnly) {
        long flags = wonOnly ? capiConstants.POINTS_DRAWS_WON : 0;
        return new Results<>(() -> iterate(db -> capi.points_lottery_draw_iterator_new(db, id, account,
                flags), capi::points_lottery_draw_next, capi::points_lottery_draw_iterator_free));
    }

    /** Close lottery id: no more draws, its seed revealed. */
    public synchronized void closeLottery(long id) {
        capi.points_lottery_close(db(), id);
    }

    /**
     * Recompute every draw of closed lottery id from its revealed seed
     * ({@code points_lottery_audit}); a {@link CorruptException} naming the
     * first draw that differs when one does.
     */
    public synchronized void auditLottery(long id) {
        capi.points_lottery_audit(db(), id);
    }

    /**
     * Create an auction ({@code points_auction_create}); a catalogue item's
     * unit leaves its stock now. Returns the {@link Auction}.
     */
    public synchronized Auction createAuction(AuctionDef def) {
        SWIGTYPE_p_points_db h = db();
        points_auction_def d = def.toC();
        try {
            return capi.points_auction_get(h, capi.points_auction_create(h, d));
        } finally {
            d.delete();
        }
    }

    /** The auction with this id, as it stands (past its end: settled as of the end). */
    public synchronized Auction auction(long id) {
        return capi.points_auction_get(db(), id);
    }

    /**
     * Bid amount points of account on auction id ({@code points_auction_bid}):
     * its points held, the leader's released, in one transaction. Refusals
     * ({@link WindowClosedException}, {@link InvalidArgumentException} naming the
     * least bid, {@link NotEligibleException}, {@link InsufficientPointsException})
     * write nothing; the same idempotencyKey (may be null) again returns the
     * first bid.
     */
    public synchronized Bid bid(long id, long account, long amount, String idempotencyKey) {
        return capi.points_auction_bid(db(), id, account, amount, idempotencyKey);
    }

    /** Bid number (1, 2, ...) of auction id. */
    public synchronized Bid auctionBid(long id, long number) {
        return capi.points_auction_bid_get(db(), id, number);
    }

    /** The bids of auction id, first to last. */
    public synchronized Results<Bid> auctionBids(long id) {
        return new Results<>(() -> iterate(db -> capi.points_auction_bid_iterator_new(db, id),
                capi::points_auction_bid_next, capi::points_auction_bid_iterator_free));
    }

    /**
     * Write the settlement of auction id past its end: the leader's hold
     * captured and a catalogue item's order made, or every hold released.
     */
    public synchronized void settleAuction(long id) {
        capi.points_auction_settle(db(), id);
    }

    /** Cancel auction id before its end: every hold released. */
    public synchronized void cancelAuction(long id) {
        capi.points_auction_cancel(db(), id);
    }

    /** Delete the outbox events up to and including throughSeq; returns how many. */
    public synchronized long pruneOutbox(long throughSeq) {
        return capi.points_outbox_prune(db(), throughSeq);
    }

    /**
     * Notices of points about to expire: every expiry sweep of asset writes a
     * {@code points.expiring} outbox event for each lot expiring within days days, once
     * per lot and window; 0 turns them off.
     */
    public synchronized void setExpiringWindow(String asset, long days) {
        capi.points_outbox_expiring_set(db(), asset, days);
    }

    /** The notice window of asset in days (0: none). */
    public synchronized long expiringWindow(String asset) {
        return capi.points_outbox_expiring_get(db(), asset);
    }

    /** Accounts with id &gt;= fromId, ascending (the system accounts are 1-3). */
    public synchronized Results<Account> accounts(long fromId) {
        return new Results<>(() -> iterate(db -> capi.points_account_iterator_new(db, fromId),
                capi::points_account_next, capi::points_account_iterator_free));
    }

    public synchronized Results<Account> accounts() {
        return accounts(0);
    }

    /*
     * A C iterator (each list has its own handle type H) made by open,
     * stepped by step, freed by free; see LedgerIterator.
     */
    private synchronized <H, T> LedgerIterator<T> iterate(Function<SWIGTYPE_p_points_db, H> open,
            Function<H, T> step, Consumer<H> free) {
        return new LedgerIterator<>(this, open.apply(db()), step, free);
    }

    /*
     * One step of an iterator of this ledger, under its lock. The C
     * iterator keeps no message of its own: the handle has it.
     */
    synchronized <T> T step(Supplier<T> step) {
        checkOpen();
        try {
            return step.get();
        } catch (PointsException e) {
            if (capi.points_errcode(db) != e.code())
                throw e;
            throw PointsException.create(e.code(), e.strerror(), capi.points_errmsg(db));
        }
    }

    /* ---- Balances ---- */

    public synchronized Balance getBalance(long account, String asset) {
        return capi.points_balance_get(db(), account, asset);
    }

    /* ---- Reports ---- */

    /**
     * What the user accounts hold of asset now and owe, and its cash value at the asset's
     * ratio: {@code cash + cashRem / ratioPoints} minor units exactly.
     */
    public synchronized Liability liability(String asset) {
        return capi.points_liability_get(db(), asset);
    }

    /**
     * The months in which points of asset expire, earliest first, from this month on (the
     * breakage forecast); their points add up to the liability's available + pending -
     * neverExpires.
     */
    public synchronized Results<ExpiryMonth> expiryForecast(String asset) {
        return new Results<>(() -> iterate(db -> capi.points_expiry_forecast_iterator_new(db, asset),
                capi::points_expiry_forecast_next, capi::points_expiry_forecast_iterator_free));
    }

    /**
     * The rows of a report of asset over from &lt;= time &lt; to (to 0: no end), by period;
     * limit: the most popular items of each period (0: all; 0 for the other kinds).
     */
    public synchronized Results<ReportRow> report(ReportKind kind, String asset, long from, long to,
            ReportPeriod period, long limit) {
        return new Results<>(() -> iterate(db -> capi.points_report_iterator_new(db, kind.code, asset, from, to,
                period.code, limit), capi::points_report_next, capi::points_report_iterator_free));
    }

    /**
     * The top accounts (top 0: all) by points of asset earned over from &lt;= time &lt; to (to 0:
     * no end), overall or per department or tier; a tie goes to who reached the figure first,
     * then the lower account id.
     */
    public synchronized Results<Leader> leaderboard(String asset, long from, long to, LeaderGroup by,
            long top) {
        return new Results<>(() -> iterate(db -> capi.points_leaderboard_iterator_new(db, asset, from, to,
                by.code, top), capi::points_leaderboard_next, capi::points_leaderboard_iterator_free));
    }

    /**
     * What each system account issued of asset over from &lt;= time &lt; to (to 0: no end) and
     * what was redeemed at it, by account id, with the net's cash value at ratioPoints :
     * ratioCash (both 0: the asset's cash ratio).
     */
    public synchronized Results<Settlement> settlement(String asset, long from, long to,
            long ratioPoints, long ratioCash) {
        return new Results<>(() -> iterate(db -> capi.points_settlement_iterator_new(db, asset, from, to,
                ratioPoints, ratioCash), capi::points_settlement_next,
                capi::points_settlement_iterator_free));
    }

    /**
     * What account did with asset over from &lt;= time &lt; to (to 0: no end): its position at
     * both ends and what was earned, spent, expired and moved otherwise between them.
     */
    public synchronized Summary accountSummary(long account, String asset, long from, long to) {
        return capi.points_account_summary_get(db(), account, asset, from, to);
    }

    /** The departments' summaries ("": accounts of none), by name. */
    public synchronized Results<Summary> departmentSummaries(String asset, long from, long to) {
        return new Results<>(() -> iterate(db -> capi.points_department_summary_iterator_new(db, asset, from, to),
                capi::points_department_summary_next, capi::points_department_summary_iterator_free));
    }

    /** Items to suggest to account (top 0: all), ranked by score, then SKU. */
    public synchronized Results<Recommendation> recommendations(long account, RecommendKind kind, long top) {
        return new Results<>(() -> iterate(db -> capi.points_recommendation_iterator_new(db, account, kind.code, top),
                capi::points_recommendation_next, capi::points_recommendation_iterator_free));
    }

    /* ---- Moving points ---- */

    /** issuer (or the posting's counterparty) -&gt; account; makes a lot. */
    public synchronized Txn earn(Posting p) {
        return capi.points_earn(db(), p);
    }

    /** account -&gt; sink (or counterparty): redeem, earliest-expiring lots first. */
    public synchronized Txn spend(Posting p) {
        return capi.points_spend(db(), p);
    }

    /** account -&gt; counterparty; the points keep their expiry. */
    public synchronized Txn transfer(Posting p) {
        return capi.points_transfer(db(), p);
    }

    /**
     * Fund a budget pool: the posting's counterparty (0: the issuer; or a
     * system account such as another pool) -&gt; its account, a pool.
     * Awards are {@link #earn} with the pool as counterparty.
     */
    public synchronized Txn fundPool(Posting p) {
        return capi.points_pool_fund(db(), p);
    }

    /** Return what a pool has not paid out: its account -&gt; counterparty (0: the issuer). */
    public synchronized Txn defundPool(Posting p) {
        return capi.points_pool_defund(db(), p);
    }

    /** An administrator's correction against the issuer; memo (the reason) required. */
    public synchronized Txn adjust(Posting p) {
        return capi.points_adjust(db(), p);
    }

    /**
     * Reverse a transaction in whole or in part; points return to the lots
     * they came from. A retry with the same idempotency key and request
     * returns the first result.
     */
    public synchronized Txn reverse(Reversal r) {
        return capi.points_reverse(db(), r);
    }

    /** Reverse a transaction in whole. */
    public synchronized Txn reverse(String txnId, String memo) {
        return reverse(Reversal.of(txnId).memo(memo));
    }

    /** Reverse amount of a transaction (0: all of what is left). */
    public synchronized Txn reverse(String txnId, long amount, String memo, String idempotencyKey) {
        return reverse(Reversal.of(txnId).amount(amount).memo(memo).idempotencyKey(idempotencyKey));
    }

    public synchronized Txn getTxn(String txnId) {
        return capi.points_txn_get(db(), txnId);
    }

    /* ---- Statements ---- */

    /** Every entry of account in asset, newest first. */
    public synchronized Results<Entry> statement(long account, String asset) {
        return statement(account, asset, 0, 0, StatementOrder.NEWEST_FIRST);
    }

    public synchronized Results<Entry> statement(long account, String asset, StatementOrder order) {
        return statement(account, asset, 0, 0, order);
    }

    /** Entries with from &lt;= time &lt; to (to 0: no limit). */
    public synchronized Results<Entry> statement(long account, String asset, long from, long to,
            StatementOrder order) {
        return new Results<>(() -> iterate(
                db -> capi.points_statement_iterator_new(db, account, asset, from, to, order.code()),
                capi::points_statement_next, capi::points_statement_iterator_free));
    }

    /* ---- Exports ---- */

    /**
     * The ledger's entries with from &lt;= time &lt; to (to 0: no end) as
     * lines of text, their ends included: a CSV header line first, or a
     * JSON object a line. It streams: write each line as it comes.
     */
    public synchronized Results<String> export(ExportFormat format, long from, long to) {
        return new Results<>(() -> iterate(
                db -> capi.points_export_iterator_new(db, format.code(), from, to),
                capi::points_export_next, capi::points_export_iterator_free));
    }

    /* ---- Imports ---- */

    /**
     * Create or update accounts from the CSV file at path (columns
     * external_id, name, department, tier: points_import_new(3)): a line
     * each, in order. allOrNothing: nothing is written unless every line
     * is good; a bad line then throws {@link InvalidArgumentException}
     * naming each bad line.
     */
    public synchronized List<ImportLine> importAccounts(String path, boolean allOrNothing) {
        return importFile(capiConstants.POINTS_IMPORT_ACCOUNTS, path, allOrNothing);
    }

    /**
     * Earn points from the CSV file at path, a line per award (columns
     * external_id, asset, amount, idempotency_key, and category, memo,
     * actor); a re-run replays ({@link ImportOutcome#REPLAYED}). As
     * {@link #importAccounts}.
     */
    public synchronized List<ImportLine> importAwards(String path, boolean allOrNothing) {
        return importFile(capiConstants.POINTS_IMPORT_AWARDS, path, allOrNothing);
    }

    private List<ImportLine> importFile(int kind, String path, boolean allOrNothing) {
        SWIGTYPE_p_points_import imp = capi.points_import_new(db(), kind, path,
                allOrNothing ? capiConstants.POINTS_IMPORT_ALL_OR_NOTHING : 0);
        try {
            List<ImportLine> lines = new ArrayList<>();
            ImportLine l;
            while ((l = step(() -> capi.points_import_next(imp))) != null)
                lines.add(l);
            try {
                step(() -> capi.points_import_finish(imp));
            } catch (InvalidArgumentException e) {
                StringBuilder bad = new StringBuilder(e.getMessage());
                String sep = ": ";
                for (ImportLine r : lines)
                    if (r.isRefused()) {
                        bad.append(sep).append(r);
                        sep = "; ";
                    }
                throw PointsException.create(e.code(), e.strerror(), bad.toString());
            }
            return lines;
        } finally {
            capi.points_import_free(imp);
        }
    }

    /* ---- Lots and expiry ---- */

    /** Every open lot of account in asset, earliest-expiring first. */
    public synchronized Results<Lot> lots(long account, String asset) {
        return lots(account, asset, Long.MAX_VALUE);
    }

    /**
     * Open lots expiring at or before until (Long.MAX_VALUE: all). account
     * 0: every account's, grouped by account; never-expiring lots are not
     * listed then ("expiring soon" reminders).
     */
    public synchronized Results<Lot> lots(long account, String asset, long until) {
        return new Results<>(() -> iterate(db -> capi.points_lot_iterator_new(db, account, asset, until),
                capi::points_lot_next, capi::points_lot_iterator_free));
    }

    /**
     * Expire every lot whose expiry is before asOf and release holds past their deadline.
     * An asOf later than the ledger's clock is refused ({@link InvalidArgumentException}):
     * see {@link #expireSweep(String, long, boolean)}. The report's points add up every
     * asset and saturate at Long.MAX_VALUE.
     */
    public synchronized SweepReport expireSweep(long asOf) {
        return capi.points_expire_sweep(db(), asOf);
    }

    /**
     * The sweep of one asset (null: every asset), its report for that asset. future: asOf
     * may be later than the ledger's clock (points still valid then expire; undo an expiry
     * with {@link #reverse}).
     */
    public synchronized SweepReport expireSweep(String asset, long asOf, boolean future) {
        return capi.points_expire_sweep_asset(db(), asset, asOf,
                future ? capiConstants.POINTS_SWEEP_FUTURE : 0);
    }

    /** {@link #expireSweep(long)} as of the ledger's clock. */
    public synchronized SweepReport expireSweep() {
        return expireSweep(now());
    }

    /* ---- Holds ---- */

    /**
     * Reserve p.amount of p.account (p.expiresAt: a deadline, 0 none). The
     * Hold releases itself on close() if it is still open.
     */
    public synchronized Hold createHold(Posting p) {
        return new Hold(this, capi.points_hold_create(db(), p));
    }

    /** A Hold object for an existing hold, e.g. one made by another process. */
    public synchronized Hold hold(String holdId) {
        return new Hold(this, getTxn(holdId));
    }

    public synchronized HoldInfo getHold(String holdId) {
        return capi.points_hold_get(db(), holdId);
    }

    /** Capture c.amount (0: all) into c.to (0: the sink); the rest is released. */
    public synchronized Txn captureHold(Capture c) {
        return capi.points_hold_capture(db(), c);
    }

    /** Capture amount (0: all) into to (0: the sink); the rest is released. */
    public synchronized Txn captureHold(String holdId, long amount, long to, String memo) {
        return captureHold(Capture.of(holdId).amount(amount).to(to).memo(memo));
    }

    /** Return all of the hold to its account. */
    public synchronized Txn releaseHold(Release r) {
        return capi.points_hold_release(db(), r);
    }

    public synchronized Txn releaseHold(String holdId, String memo) {
        return releaseHold(Release.of(holdId).memo(memo));
    }

    /* ---- Integrity ---- */

    /**
     * Recompute the hash chain and every balance from the entries.
     * CorruptException (with {@link CorruptException#report()}) on a
     * mismatch.
     */
    public synchronized VerifyReport verify() {
        return capi.points_verify(db());
    }

    /**
     * {@link #verify()}, and the chain must pass through each head kept outside the ledger (one
     * per partition; today a ledger has one log, partition 0): then a chain recomputed after an
     * edit, a truncated log and an older copy of the ledger are found too.
     * CorruptException on a mismatch; InvalidArgumentException for a malformed head.
     */
    public synchronized VerifyReport verify(ChainHead... kept) {
        return capi.points_verify_head(db(), kept);
    }

    /**
     * The head of the hash chain now: keep it elsewhere (another machine, a write-once log) and
     * pass it to {@link #verify(ChainHead...)} later.
     */
    public synchronized ChainHead chainHead() {
        return capi.points_chain_head_get(db());
    }

    /**
     * The head of each of the log's partitions now, in partition order (one for a log in one
     * partition): keep them elsewhere and pass them all to {@link #verify(ChainHead...)} later.
     */
    public synchronized ChainHead[] chainHeads() {
        return capi.points_chain_heads_get(db());
    }

    @Override
    public synchronized String toString() {
        return db == null ? "Ledger[closed]" : "Ledger[open]";
    }
}
