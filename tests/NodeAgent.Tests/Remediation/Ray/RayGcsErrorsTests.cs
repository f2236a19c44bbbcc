using Grpc.Core;
using Platform.NodeAgent.Remediation;
using Platform.NodeAgent.Remediation.Ray;

namespace Platform.NodeAgent.Tests.Remediation.Ray;

public sealed class RayGcsErrorsTests
{
    [Theory]
    [InlineData(StatusCode.Unavailable, "Error connecting to subchannel.", "Unreachable")]
    [InlineData(StatusCode.DeadlineExceeded, "", "Unreachable")]
    [InlineData(StatusCode.Unauthenticated, "Invalid or missing authentication token", "TokenAuthRequired")]
    [InlineData(StatusCode.Unauthenticated, null, "TokenAuthRequired")]
    [InlineData(StatusCode.PermissionDenied, "Token authentication is enabled but no token was sent", "TokenAuthRequired")]
    [InlineData(StatusCode.PermissionDenied, "not allowed", "Error")]
    [InlineData(StatusCode.Internal, "boom", "Error")]
    [InlineData(StatusCode.Unimplemented, "", "Error")]
    [InlineData(StatusCode.Unknown, null, "Error")]
    public void Classify_StatusCode_MapsToFailure(StatusCode code, string? detail, string expected)
    {
        var (failure, message) = RayGcsErrors.Classify(code, detail);

        Assert.Equal(Enum.Parse<RayGcsFailure>(expected), failure);
        Assert.StartsWith(code.ToString(), message, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_Unimplemented_SaysTheGcsMayBeTooOld()
    {
        Assert.Contains("older", RayGcsErrors.Classify(StatusCode.Unimplemented, "Method not found").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bound_LongDetail_CutToTheLimitWithAnEllipsis()
    {
        var bounded = RayGcsErrors.Bound(new string('x', 10_000));

        Assert.Equal(RayGcsErrors.MaxMessageLength, bounded.Length);
        Assert.EndsWith("…", bounded, StringComparison.Ordinal);
        Assert.Equal("short", RayGcsErrors.Bound("short"));
    }
}
