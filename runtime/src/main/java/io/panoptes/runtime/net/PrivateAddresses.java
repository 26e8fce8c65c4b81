package io.panoptes.runtime.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Whether a host resolves to a loopback, link-local, private (site-local or unique-local),
 * any-local or multicast address: outgoing requests that users configure (sources, model URLs,
 * webhooks) may not reach those unless allowed, so that a URL cannot be used to probe the machine
 * or its network.
 */
public final class PrivateAddresses {

    private PrivateAddresses() {}

    /**
     * The first such address {@code host} resolves to, or empty when all are public.
     *
     * @throws UnknownHostException when the host does not resolve
     */
    public static Optional<InetAddress> firstPrivate(String host) throws UnknownHostException {
        for (InetAddress address : InetAddress.getAllByName(host)) {
            if (isPrivate(address)) {
                return Optional.of(address);
            }
        }
        return Optional.empty();
    }

    /** Whether {@code address} is loopback, link-local, private, any-local or multicast. */
    public static boolean isPrivate(InetAddress address) {
        return address.isLoopbackAddress()
                || address.isLinkLocalAddress()
                || address.isSiteLocalAddress()
                || address.isAnyLocalAddress()
                || address.isMulticastAddress()
                || isUniqueLocal(address);
    }

    /** IPv6 unique local addresses (fc00::/7), which Java does not count as site-local. */
    private static boolean isUniqueLocal(InetAddress address) {
        return address instanceof Inet6Address && (address.getAddress()[0] & 0xfe) == 0xfc;
    }
}
