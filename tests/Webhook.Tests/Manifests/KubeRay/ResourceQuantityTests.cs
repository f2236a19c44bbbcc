using Platform.Webhook.Manifests.KubeRay;

namespace Platform.Webhook.Tests.Manifests.KubeRay;

public class ResourceQuantityTests
{
    [Theory]
    [InlineData("1", "1", 1)]
    [InlineData("500m", "0.5", 1)]
    [InlineData("2500m", "2.5", 3)]
    [InlineData("0.5", "0.5", 1)]
    [InlineData("8Gi", "8589934592", 8589934592)]
    [InlineData("1G", "1000000000", 1000000000)]
    [InlineData("128974848", "128974848", 128974848)]
    [InlineData("129e6", "129000000", 129000000)]
    [InlineData("1Ki", "1024", 1024)]
    [InlineData("100n", "0.0000001", 1)]
    public void TryParse_KubernetesQuantities_GivesValueAndCeiling(string text, string expected, long ceiling)
    {
        Assert.True(ResourceQuantity.TryParse(text, out var value));

        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
        Assert.Equal(ceiling, ResourceQuantity.CeilingValue(value));
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("1 Gi")]
    [InlineData("1gi")]
    [InlineData("1.2.3")]
    public void TryParse_Garbage_Fails(string text) => Assert.False(ResourceQuantity.TryParse(text, out _));
}
