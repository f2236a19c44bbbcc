using System.Net;
using Platform.Webhook.Server;

namespace Platform.Webhook.Tests.Server;

public sealed class ListenAddressTests
{
    [Theory]
    [InlineData("https://127.0.0.1:8443", "127.0.0.1", false, 8443)]
    [InlineData("https://0.0.0.0:8443", null, false, 8443)]
    [InlineData("https://*:8443", null, false, 8443)]
    [InlineData("https://+:9443/", null, false, 9443)]
    [InlineData("https://[::]:8443", null, false, 8443)]
    [InlineData("https://[::1]:8443", "::1", false, 8443)]
    [InlineData("HTTPS://localhost:8443", null, true, 8443)]
    [InlineData("https://127.0.0.1:0", "127.0.0.1", false, 0)]
    [InlineData(null, null, false, 8443)]
    public void TryParse_HttpsUrl_AddressAndPort(string? urls, string? ip, bool localhost, int port)
    {
        Assert.True(ListenAddress.TryParse(urls, out var address, out var error), error);

        Assert.Equal(ip is null ? null : IPAddress.Parse(ip), address!.Address);
        Assert.Equal(localhost, address.Localhost);
        Assert.Equal(port, address.Port);
    }

    [Theory]
    [InlineData("http://0.0.0.0:8443", "not an https URL")]
    [InlineData("https://0.0.0.0:8443;https://0.0.0.0:9443", "several addresses")]
    [InlineData("https://0.0.0.0", "no valid port")]
    [InlineData("https://0.0.0.0:99999", "no valid port")]
    [InlineData("https://webhook.example.com:8443", "not an IP address")]
    [InlineData("https://localhost:0", "port 0 needs an IP address")]
    public void TryParse_Unusable_ErrorNamesTheProblemAndTheKey(string urls, string expected)
    {
        Assert.False(ListenAddress.TryParse(urls, out var address, out var error));

        Assert.Null(address);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.StartsWith("urls ", error, StringComparison.Ordinal);
    }
}
