using System.Globalization;
using System.Net;

namespace Platform.Webhook.Server;

/// <summary>The parsed admission URL: which address to bind (any, localhost, or one IP) and the port.</summary>
internal sealed record ListenAddress(IPAddress? Address, bool Localhost, int Port)
{
    /// <summary>Parses <c>https://host:port</c>; hosts <c>*</c>, <c>+</c>, <c>0.0.0.0</c> and <c>[::]</c> mean every interface.</summary>
    public static bool TryParse(string? urls, out ListenAddress? address, out string? error)
    {
        address = null;
        var url = (urls ?? AdmissionListenOptions.DefaultUrl).Trim();
        if (url.Contains(';', StringComparison.Ordinal))
        {
            error = $"urls '{url}' names several addresses: the admission endpoint listens on exactly one https URL, e.g. --urls=https://0.0.0.0:8443.";
            return false;
        }

        const string Scheme = "https://";
        if (!url.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            error = $"urls '{url}' is not an https URL: the apiserver only calls webhooks over TLS; use e.g. --urls=https://0.0.0.0:8443 (health and metrics are plain HTTP on Health:Port).";
            return false;
        }

        var hostPort = url[Scheme.Length..].TrimEnd('/');
        var colon = hostPort.LastIndexOf(':');
        if (colon <= 0 || hostPort.EndsWith(']') || !int.TryParse(hostPort.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            error = $"urls '{url}' has no valid port: write it as https://<host>:<port>, e.g. https://0.0.0.0:8443.";
            return false;
        }

        var host = hostPort[..colon];
        if (host is "*" or "+" or "0.0.0.0" or "[::]")
        {
            address = new ListenAddress(null, false, port);
        }
        else if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = new ListenAddress(null, true, port);
        }
        else if (IPAddress.TryParse(host.Trim('[', ']'), out var ip))
        {
            address = new ListenAddress(ip, false, port);
        }
        else
        {
            error = $"urls '{url}': host '{host}' is not an IP address: bind an address (0.0.0.0, 127.0.0.1, [::]) or localhost; the certificate's names are separate.";
            return false;
        }

        if (address.Localhost && port == 0)
        {
            error = $"urls '{url}': port 0 needs an IP address (127.0.0.1), not localhost.";
            address = null;
            return false;
        }

        error = null;
        return true;
    }
}
