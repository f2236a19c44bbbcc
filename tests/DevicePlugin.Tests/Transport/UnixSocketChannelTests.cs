using System.Net.Sockets;
using Grpc.Core;
using Platform.DevicePlugin.Transport;
using Platform.DevicePlugin.Tests.TestSupport;
using V1Beta1;

namespace Platform.DevicePlugin.Tests.Transport;

public class UnixSocketChannelTests
{
    [Fact]
    public async Task Call_SocketFileMissing_SaysTheKubeletIsNotThere()
    {
        var path = Path.Combine(Path.GetTempPath(), $"dp-missing-{Guid.NewGuid():N}.sock");
        using var channel = UnixSocketChannel.Create(path);
        var client = new V1Beta1.Registration.RegistrationClient(channel);

        var e = await Assert.ThrowsAsync<RpcException>(() => client.RegisterAsync(new RegisterRequest()).ResponseAsync.DefaultTimeout());

        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
        Assert.Contains($"no socket at {path}", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_StaleSocketFile_SaysNothingListens()
    {
        var path = Path.Combine(Path.GetTempPath(), $"dp-stale-{Guid.NewGuid():N}.sock");
        // Bound but never listening: the file is there and nobody accepts, like a socket a dead kubelet left.
        // (Disposing a bound socket unlinks its file in .NET, so it stays open for the test.)
        using var stale = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        stale.Bind(new UnixDomainSocketEndPoint(path));
        using var channel = UnixSocketChannel.Create(path);
        var client = new V1Beta1.Registration.RegistrationClient(channel);

        var e = await Assert.ThrowsAsync<RpcException>(() => client.RegisterAsync(new RegisterRequest()).ResponseAsync.DefaultTimeout());

        Assert.True(e.Status.Detail.Contains($"nothing listens on {path}", StringComparison.Ordinal), e.Status.Detail);
    }

    [Theory]
    [InlineData(SocketError.AccessDenied, "permission denied")]
    [InlineData(SocketError.TimedOut, "cannot connect to")]
    public void Explain_OtherErrors_NameTheSocket(SocketError error, string expected)
    {
        var message = UnixSocketChannel.Explain("/var/lib/kubelet/device-plugins/kubelet.sock", new SocketException((int)error));

        Assert.StartsWith(expected, message, StringComparison.Ordinal);
        Assert.Contains("/var/lib/kubelet/device-plugins/kubelet.sock", message, StringComparison.Ordinal);
    }
}
