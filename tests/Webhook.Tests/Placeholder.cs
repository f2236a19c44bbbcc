namespace Platform.Webhook.Tests;

public class PlaceholderTests
{
    [Fact]
    public void Build_Works() => Assert.True(true);
}
