/*
 * LoyaltyService - a shop's loyalty programme on libpoints, from Java.
 *
 * Customers earn 1 point per whole unit spent (points expire 365 days after
 * earning) and redeem vouchers. A purchase is awarded with its order number
 * as idempotency key, so a retried request (or running this program twice
 * on the same file) never awards twice. A voucher is redeemed in two
 * phases: the points are held while the voucher is issued, then captured;
 * if issuing fails, closing the Hold gives the points back.
 *
 *   java -cp build/java/libpoints.jar:. LoyaltyService build/java/examples/loyalty.db
 */
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import org.libpoints.Account;
import org.libpoints.Balance;
import org.libpoints.Entry;
import org.libpoints.ExpiryPolicy;
import org.libpoints.Hold;
import org.libpoints.InsufficientPointsException;
import org.libpoints.Ledger;
import org.libpoints.Lot;
import org.libpoints.NotFoundException;
import org.libpoints.Posting;
import org.libpoints.Txn;

public final class LoyaltyService implements AutoCloseable {
    static final String POINTS = "PTS";
    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

    private final Ledger ledger;

    LoyaltyService(String path) {
        ledger = Ledger.open("sqlite:" + path);
        try {
            ledger.getAsset(POINTS);
        } catch (NotFoundException first) {
            ledger.createAsset(POINTS, 0, ExpiryPolicy.DAYS, 365);
        }
    }

    /** The customer's account, made on first sight. */
    long customer(String customerId, String name) {
        try {
            return ledger.findAccount(customerId).id();
        } catch (NotFoundException e) {
            return ledger.createAccount(customerId, name);
        }
    }

    /** Award 1 point per whole unit of a purchase (amount in cents). */
    Txn purchase(String customerId, String orderId, long cents) {
        long account = ledger.findAccount(customerId).id();
        return ledger.earn(Posting.of(POINTS, account, cents / 100)
                .memo("purchase " + orderId)
                .idempotencyKey("purchase:" + orderId));
    }

    /** A refund takes back the points of the order. */
    Txn refund(Txn award, String orderId) {
        return ledger.reverse(award.id(), 0, "refund of " + orderId, "refund:" + orderId);
    }

    /** Redeem a voucher: hold the points, issue it, then capture them. */
    boolean redeemVoucher(String customerId, String voucher, long cost, boolean issueSucceeds) {
        long account = ledger.findAccount(customerId).id();
        try (Hold hold = ledger.createHold(Posting.of(POINTS, account, cost).memo("voucher " + voucher))) {
            if (!issueSucceeds)
                return false; /* closing the hold releases the points */
            hold.capture(cost, 0, "voucher " + voucher + " issued");
            return true;
        } catch (InsufficientPointsException e) {
            System.out.printf("  %s cannot redeem %s: %s%n", customerId, voucher, e.getMessage());
            return false;
        }
    }

    void printCustomer(String customerId) {
        Account a = ledger.findAccount(customerId);
        Balance b = ledger.getBalance(a.id(), POINTS);
        System.out.printf("%s (%s): %d points available, %d earned, %d redeemed%n",
                a.name(), a.externalId(), b.available(), b.earned(), b.spent());
        for (Entry e : ledger.statement(a.id(), POINTS)) /* newest first */
            System.out.printf("    %s %-9s %+5d %-10s %s%n", DATE.format(e.instant()),
                    e.type().name().toLowerCase(), e.amount(),
                    e.held() != 0 ? String.format("(held %+d)", e.held()) : "", e.memo());
        for (Lot lot : ledger.lots(a.id(), POINTS))
            System.out.printf("    %d points valid through %s%n", lot.amount(),
                    DATE.format(Instant.ofEpochSecond(lot.expiresAt())));
    }

    @Override
    public void close() {
        ledger.close();
    }

    public static void main(String[] args) {
        String path = args.length > 0 ? args[0] : "loyalty.db";
        System.out.println("libpoints " + Ledger.version() + ", ledger " + path);
        try (LoyaltyService shop = new LoyaltyService(path)) {
            shop.customer("C-1001", "Alice Chen");
            shop.customer("C-1002", "Bruno Díaz");

            Txn a1 = shop.purchase("C-1001", "SO-5001", 129_90); /* 129.90 -> 129 points */
            shop.purchase("C-1001", "SO-5002", 45_00);
            shop.purchase("C-1002", "SO-5003", 310_00);
            Txn retry = shop.purchase("C-1001", "SO-5001", 129_90); /* the client retried */
            System.out.printf("order SO-5001 awarded %d points; the retry %s%n", a1.amount(),
                    retry.replayed() ? "was recognised, nothing awarded twice" : "awarded again");

            Txn wrong = shop.purchase("C-1002", "SO-5004", 80_00);
            shop.refund(wrong, "SO-5004");

            System.out.println("redeeming vouchers:");
            System.out.println("  Alice, 100-point coffee voucher: "
                    + (shop.redeemVoucher("C-1001", "COFFEE-100", 100, true) ? "issued" : "not issued"));
            System.out.println("  Bruno, 250-point voucher, issuing fails: "
                    + (shop.redeemVoucher("C-1002", "BOOK-250", 250, false) ? "issued" : "not issued, points kept"));
            shop.redeemVoucher("C-1001", "SPA-500", 500, true);

            shop.printCustomer("C-1001");
            shop.printCustomer("C-1002");
            System.out.println("ledger check: " + shop.ledger.verify().message());
        }
    }
}
