package io.heapguard.ledger;

/**
 * A granted growth whose memory does not exist yet. Becomes a {@link Charge} tied to the new object
 * once allocated, or is given back if the allocation throws. Confined to the thread that asked.
 */
public final class Reservation {
    static final Reservation SENTINEL = new Reservation(null, GrowthPoint.BYTE_ARRAY_OUTPUT_STREAM, 0,
            new Account[0], null, null, PlacementGate.NOTHING);

    private final Ledger ledger;
    final GrowthPoint point;
    final long bytes;
    final Account[] accounts;
    final Account owner;
    final Throwable site;
    /** What this growth owes the heap reserve's placement gate once allocated: see {@link PlacementGate}. */
    private final byte placementOwed;
    private boolean settled;

    Reservation(Ledger ledger, GrowthPoint point, long bytes, Account[] accounts, Account owner, Throwable site,
                byte placementOwed) {
        this.ledger = ledger;
        this.placementOwed = placementOwed;
        this.point = point;
        this.bytes = bytes;
        this.accounts = accounts;
        this.owner = owner;
        this.site = site;
    }

    public long bytes() {
        return bytes;
    }

    /** Ties the charge to {@code allocated}; it is credited when that object is collected. */
    public void bind(Object allocated) {
        if (!settle()) {
            return;
        }
        if (allocated == null) {
            creditAll();
            return;
        }
        ledger.registry().add(new Charge(allocated, ledger.registry().queue(), this));
    }

    /**
     * Ties the charge to {@code owner}, the object holding the memory just allocated (the stream whose
     * buffer grew), retiring the owner's previous charge: see {@link ChargeRegistry}.
     */
    public void bindOwner(Object owner) {
        if (!settle()) {
            return;
        }
        if (owner == null) {
            creditAll();
            return;
        }
        ledger.registry().addOwned(new Charge(owner, ledger.registry().queue(), this), owner);
    }

    /** The allocation did not happen: give every account its bytes back. */
    public void abandon() {
        if (!settle()) {
            return;
        }
        creditAll();
    }

    /** Marks this settled and settles with the placement gate; false when it was settled already. */
    private boolean settle() {
        if (settled) {
            return false;
        }
        settled = true;
        if (placementOwed != PlacementGate.NOTHING) {
            ledger.placementDone(placementOwed);
        }
        return true;
    }

    private void creditAll() {
        for (Account a : accounts) {
            a.credit(bytes);
        }
    }
}
