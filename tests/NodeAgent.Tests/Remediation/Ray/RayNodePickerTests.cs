using Google.Protobuf;
using Platform.NodeAgent.Remediation;
using Platform.NodeAgent.Remediation.Ray;
using Ray.Rpc.Autoscaler;

namespace Platform.NodeAgent.Tests.Remediation.Ray;

public sealed class RayNodePickerTests
{
    [Fact]
    public void Pick_SeveralNodes_ReturnsTheOneWithThePodIpAsLowerHex()
    {
        var nodes = new[] { Node(0xAB, "10.0.0.1", NodeStatus.Running), Node(0xCD, "10.0.0.2", NodeStatus.Idle, idle: 42) };

        var picked = RayNodePicker.Pick(nodes, "10.0.0.2");

        Assert.Equal(new RayNodeState("cdcdcdcd", "10.0.0.2", RayNodeStatus.Idle, 42), picked);
    }

    [Fact]
    public void Pick_LiveAndDeadOnOneIp_PrefersLiveWhateverTheOrder()
    {
        Assert.Equal("02020202", RayNodePicker.Pick([Node(1, "10.0.0.1", NodeStatus.Dead, version: 9), Node(2, "10.0.0.1", NodeStatus.Running)], "10.0.0.1")?.NodeId);
        Assert.Equal("02020202", RayNodePicker.Pick([Node(2, "10.0.0.1", NodeStatus.Draining), Node(1, "10.0.0.1", NodeStatus.Dead, version: 9)], "10.0.0.1")?.NodeId);
    }

    [Fact]
    public void Pick_TwoLiveOnOneIp_TakesTheNewerStateReport()
    {
        var picked = RayNodePicker.Pick([Node(1, "10.0.0.1", NodeStatus.Running, version: 7), Node(2, "10.0.0.1", NodeStatus.Running, version: 3)], "10.0.0.1");

        Assert.Equal("01010101", picked?.NodeId);
    }

    [Fact]
    public void Pick_OnlyDead_ReturnsDead()
    {
        Assert.Equal(RayNodeStatus.Dead, RayNodePicker.Pick([Node(1, "10.0.0.1", NodeStatus.Dead)], "10.0.0.1")?.Status);
    }

    [Theory]
    [InlineData("fd00::7", "fd00:0:0:0:0:0:0:7")]
    [InlineData("FD00::A", "fd00::a")]
    [InlineData("10.0.0.7", "10.0.0.7")]
    public void Pick_SameAddressSpelledDifferently_Matches(string reported, string podIp)
    {
        Assert.NotNull(RayNodePicker.Pick([Node(1, reported, NodeStatus.Running)], podIp));
    }

    [Theory]
    [InlineData("10.0.0.70")]
    [InlineData("10.0.0.")]
    [InlineData("")]
    public void Pick_NoMatch_ReturnsNull(string reported)
    {
        Assert.Null(RayNodePicker.Pick([Node(1, reported, NodeStatus.Running)], "10.0.0.7"));
        Assert.Null(RayNodePicker.Pick([], "10.0.0.7"));
    }

    [Fact]
    public void ToStatus_ValueFromANewerRay_ReadsAsUnspecified()
    {
        Assert.Equal(RayNodeStatus.Unspecified, RayNodePicker.ToStatus((NodeStatus)17));
    }

    private static NodeState Node(byte id, string ip, NodeStatus status, long idle = 0, long version = 1) =>
        new()
        {
            NodeId = ByteString.CopyFrom(id, id, id, id),
            NodeIpAddress = ip,
            Status = status,
            IdleDurationMs = idle,
            NodeStateVersion = version,
        };
}
