using Grpc.Core;
using Platform.DevicePlugin.Transport;

namespace Platform.DevicePlugin.Tests.Transport;

public sealed class RpcErrorTextTests
{
    [Fact]
    public void Describe_RpcException_IsStatusAndDetailWithoutTheDebugException()
    {
        var debug = new HttpRequestException(new string('x', 2000));
        var error = new RpcException(new Status(StatusCode.Unavailable, "no socket at /k/kubelet.sock", debug));

        Assert.Equal("Unavailable: no socket at /k/kubelet.sock", RpcErrorText.Describe(error));
        Assert.Contains(new string('x', 2000), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_OtherException_IsItsMessage()
    {
        Assert.Equal("disk full", RpcErrorText.Describe(new IOException("disk full")));
    }
}
