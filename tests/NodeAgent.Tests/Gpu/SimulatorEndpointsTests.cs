using System.Net;
using Microsoft.AspNetCore.Http;
using Platform.NodeAgent.Gpu.Simulated;

namespace Platform.NodeAgent.Tests.Gpu;

/// <summary>Fault injection answers loopback callers only: the port also serves /metrics on the pod IP.</summary>
public sealed class SimulatorEndpointsTests
{
    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.8.9.10", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("10.244.1.7", false)]
    [InlineData("::ffff:10.244.1.7", false)]
    [InlineData("fd00::7", false)]
    [InlineData(null, false)]
    public void FromLoopback_OnlyLoopbackAddresses(string? address, bool expected)
    {
        Assert.Equal(expected, SimulatorEndpoints.FromLoopback(address is null ? null : IPAddress.Parse(address)));
    }

    [Fact]
    public async Task LoopbackOnly_RemoteCaller_Gets403AndTheHandlerDoesNotRun()
    {
        var ran = false;
        var handler = SimulatorEndpoints.LoopbackOnly(_ =>
        {
            ran = true;
            return Task.CompletedTask;
        });
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse("10.244.1.7");
        context.Response.Body = new MemoryStream();

        await handler(context).DefaultTimeout();

        Assert.False(ran);
        Assert.Equal(StatusCodes.Status403Forbidden, context.Response.StatusCode);
    }
}
