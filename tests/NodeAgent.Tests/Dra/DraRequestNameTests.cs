using Platform.NodeAgent.Dra;

namespace Platform.NodeAgent.Tests.Dra;

public class DraRequestNameTests
{
    [Theory]
    [InlineData("gpus")]
    [InlineData("a")]
    [InlineData("0")]
    [InlineData("gpu-pair")]
    [InlineData("gpus/h100")]
    [InlineData("gpus/a100-40gb")]
    [InlineData("abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefgh/abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefgh")]
    public void DnsLabels_AndRequestSlashSubrequest_AreValid(string request) => Assert.True(DraRequestName.IsValid(request));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Gpus")]
    [InlineData("-gpus")]
    [InlineData("gpus-")]
    [InlineData("gpus_a")]
    [InlineData("gpus.a")]
    [InlineData("gpus/")]
    [InlineData("/gpus")]
    [InlineData("a/b/c")]
    [InlineData("gpus\n")]
    [InlineData("gpus/h100\n")]
    [InlineData("gpu s")]
    [InlineData("abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghi")]
    public void AnythingElse_IsInvalid(string? request) => Assert.False(DraRequestName.IsValid(request));
}
