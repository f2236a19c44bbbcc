using System.Text.Json;
using Platform.Webhook.Mutation;

namespace Platform.Webhook.Tests.Mutation;

public class RepeatedMembersTests
{
    /// <summary>Both ways of comparing (every pair of name hashes up to 64 members, a set beyond) find a repeat
    /// anywhere in the object, and see none where there is none.</summary>
    [Theory]
    [InlineData(2)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(1000)]
    public void InObject_AnySize_FindsTheRepeatOrNone(int members)
    {
        var names = Enumerable.Range(0, members).Select(i => $"\"m{i}\":{i}").ToList();
        using var distinct = JsonDocument.Parse("{" + string.Join(",", names) + "}");
        names.Add($"\"m{members / 2}\":0");
        using var repeated = JsonDocument.Parse("{" + string.Join(",", names) + "}");

        Assert.Null(RepeatedMembers.InObject(distinct.RootElement, "/o"));
        Assert.Equal($"/o repeats the member \"m{members / 2}\"", RepeatedMembers.InObject(repeated.RootElement, "/o"));
    }

    [Theory]
    [InlineData("""{"a":1,"\u0061":2}""", "a")]
    [InlineData("""{"\u0061":1,"a":2}""", "a")]
    [InlineData("""{"a\/b":1,"a/b":2}""", "a/b")]
    [InlineData("""{"a":1,"A":2}""", null)]
    [InlineData("""{"ab":1,"a":2,"b":3}""", null)]
    [InlineData("""[1,1]""", null)]
    [InlineData("""{}""", null)]
    public void InObject_NamesCompareAsText(string json, string? expected)
    {
        using var document = JsonDocument.Parse(json);

        Assert.Equal(expected is null ? null : $"/ repeats the member \"{expected}\"", RepeatedMembers.InObject(document.RootElement, string.Empty));
    }

    [Fact]
    public void InTree_RepeatDeepInAList_NamesItsPointer()
    {
        using var document = JsonDocument.Parse("""{"spec":{"groups":[{"x":1},{"a~b":{"k":1,"k":2}}]}}""");

        Assert.Equal("/r/spec/groups/1/a~0b repeats the member \"k\"", RepeatedMembers.InTree(document.RootElement, "/r"));
    }

    [Fact]
    public void InTemplate_RepeatOutsideWhatTheCoreReads_IsNotLookedFor()
    {
        using var document = JsonDocument.Parse("""{"metadata":{"managedFields":[{"f":1,"f":2}]},"spec":{"volumes":[{"name":"a","name":"b"}]},"status":{"p":1,"p":2}}""");

        Assert.Null(RepeatedMembers.InTemplate(document.RootElement, string.Empty));
    }

    [Fact]
    public void InTemplate_RepeatAtTheRoot_IsTheRoot()
    {
        using var document = JsonDocument.Parse("""{"spec":{},"spec":{}}""");

        Assert.Equal("/ repeats the member \"spec\"", RepeatedMembers.InTemplate(document.RootElement, string.Empty));
    }
}
