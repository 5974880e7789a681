/**
 * Not API: may change in any release, and is left out of the Javadoc and of the module's exports.
 * The engine behind {@link dev.analytics4j.Analytics}, and what other modules of analytics4j (the
 * command-line importer, the Spark writer) need from the core beyond its public API: {@link
 * dev.analytics4j.internal.Wire}, which gives them the core's validation, encoding, envelope and
 * headers so that no other module writes the wire format itself; {@link
 * dev.analytics4j.internal.Log}, through which every class of the core logs; and {@link
 * dev.analytics4j.internal.RequestData}, the Spring Boot starter's request data as the lowest layer
 * of a scope.
 *
 * <h2>Where things are</h2>
 * {@code Pipeline} owns and wires what one client is made of, and the offer path; {@code Shutdown}
 * owns close; {@code ClientThreads} makes every thread; {@code Settings} holds what the builder was
 * told; {@code HttpUrls} checks URLs. {@code MessageQueue} is the bounded window and cuts batches,
 * {@code FlushEpochs} counts them for the flushes; {@code Flusher} takes batches, {@code Uploader}
 * sends them, {@code Reporter} tells the callback and listener. {@code Internal} is the engine's door
 * to the API types' package-private parts ({@code Analytics} installs it); {@code spool} keeps
 * messages on disk.
 *
 * <h2>Words</h2>
 * Each word below has one meaning in this package; the public API's names ({@code
 * Failure.abandonedAtClose()}, the {@code DropReason} constants) keep theirs.
 * <dl>
 *   <dt>offer</dt>
 *   <dd>Hand a message to the client for sending: it is accepted, or its drop is reported and the
 *       answer is false ({@code Analytics.offer}, {@code Wire.offer}, {@code Pipeline.offer}). Nothing
 *       below the pipeline offers.</dd>
 *   <dt>put</dt>
 *   <dd>Place an accepted message in the queue: in the window, or in the spool's backlog ({@code
 *       MessageQueue.put}, {@code putSpooled}); the answer is a {@code Placement}.</dd>
 *   <dt>admit</dt>
 *   <dd>Move a backlog message, read back from the spool, into the window.</dd>
 *   <dt>accept</dt>
 *   <dd>What the client does to a message it takes: from then on it owes the message one report.</dd>
 *   <dt>settle</dt>
 *   <dd>Record, in the counts of the flush it belongs to, the outcome of a message that has been
 *       reported ({@code MessageQueue.settle}, {@code FlushEpochs.settle}); a settled message's outcome
 *       is final.</dd>
 *   <dt>finish</dt>
 *   <dd>Decide a batch's fate: exactly one party, its upload or close, finishes each batch ({@code
 *       Batch.finishByUploader}, {@code finishByClose}).</dd>
 *   <dt>resolve</dt>
 *   <dd>Complete a flush's future with its result ({@code FlushFuture.resolve}); its caller's {@code
 *       complete} and {@code cancel} are ignored.</dd>
 *   <dt>give up</dt>
 *   <dd>Stop trying to send what is left, at close's deadline or when the flusher died, and report
 *       each message ({@code MessageQueue.giveUp} returns the {@code Leftovers}; {@code
 *       Uploader.giveUp(batch)}; {@code Shutdown.giveUp}). The public {@code abandonedAtClose()} is
 *       a failure close gave up on.</dd>
 *   <dt>release</dt>
 *   <dd>Free the room a batch held in the queue's bounds.</dd>
 *   <dt>backlog</dt>
 *   <dd>Messages accepted and held only in the spool, waiting for room in the window.</dd>
 * </dl>
 * The encoder <em>stops</em> ({@code MessageWriter.Stopped}, {@code MessageEncoder.STOP_BYTES}) a
 * message that grows past the size at which it is refused anyway; nothing is given up in the sense
 * above.
 */
@NullMarked
package dev.analytics4j.internal;

import org.jspecify.annotations.NullMarked;
