package org.bosun.api.trust;

/**
 * An OpenPGP signed message (not a detached signature) whose signature was verified: the payload
 * it carries and who signed it. Containers' "simple signing" signatures are such messages.
 *
 * @param payload the signed content, as it was in the message
 * @param signer who signed it
 */
public record SignedMessage(byte[] payload, Signer signer) {
    public SignedMessage {
        payload = payload.clone();
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }
}
