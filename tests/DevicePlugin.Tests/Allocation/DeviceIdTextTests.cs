using System.Text;
using Platform.DevicePlugin.Allocation;

namespace Platform.DevicePlugin.Tests.Allocation;

public sealed class DeviceIdTextTests
{
    [Theory]
    [InlineData(0, "")]
    [InlineData(1, "'GPU-0'")]
    [InlineData(3, "'GPU-0', 'GPU-1', 'GPU-2'")]
    [InlineData(4, "'GPU-0', 'GPU-1', 'GPU-2' … and 1 more")]
    [InlineData(10_001, "'GPU-0', 'GPU-1', 'GPU-2' … and 9,998 more")]
    public void List_NamesThreeThenCounts(int count, string expected)
    {
        var ids = Enumerable.Range(0, count).Select(i => $"GPU-{i}").ToList();

        Assert.Equal(expected, DeviceIdText.List(ids));
    }

    [Fact]
    public void One_LongId_IsCutAndItsLengthNoted()
    {
        var id = new string('a', 5000);

        var text = DeviceIdText.One(id);

        Assert.Equal($"'{new string('a', DeviceIdText.MaxIdChars)}…' (5,000 characters)", text);
    }

    [Theory]
    [InlineData("short", 5)]
    [InlineData("x", 1024)]
    [InlineData("x", 1025)]
    [InlineData("é", 600)]
    [InlineData("😀", 300)]
    public void Cap_StaysWithinOneKiBOnACharacterBoundary(string unit, int repeat)
    {
        var message = string.Concat(Enumerable.Repeat(unit, repeat));

        var capped = DeviceIdText.Cap(message);

        Assert.True(Encoding.UTF8.GetByteCount(capped) <= DeviceIdText.MaxMessageBytes);
        if (Encoding.UTF8.GetByteCount(message) <= DeviceIdText.MaxMessageBytes)
        {
            Assert.Equal(message, capped);
        }
        else
        {
            Assert.EndsWith("…", capped, StringComparison.Ordinal);
            Assert.StartsWith(capped[..^1], message, StringComparison.Ordinal);
        }
    }
}
